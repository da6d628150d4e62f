"""Is the Hugging Face Hub reachable? Decide once, fast, and tell the libraries.

Without network and without HF_HUB_OFFLINE, `load_dataset` spends about 24 s and
`AutoTokenizer.from_pretrained` about 48 s retrying before they fail. One short check
(2 s at most) decides instead; if the Hub is out of reach, offline mode is switched on in
`huggingface_hub`, `datasets` and `transformers`, which then answer from the local cache
in milliseconds.
"""

import os
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlparse

_TRUE = {"1", "true", "yes", "on"}
CHECK_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class HubStatus:
    online: bool
    reason: str  # one short phrase a learner can act on


_status: HubStatus | None = None


def _can_connect(host: str, port: int, timeout: float) -> bool:
    """TCP connect in a thread, so a slow DNS lookup cannot outlast `timeout` either."""
    result = []

    def attempt():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def set_offline_mode() -> None:
    """Offline mode for this process and the kernels or workers it starts."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import huggingface_hub.constants

    huggingface_hub.constants.HF_HUB_OFFLINE = True
    try:
        import datasets.config

        datasets.config.HF_HUB_OFFLINE = True
        datasets.config.HF_DATASETS_OFFLINE = True
    except ImportError:
        pass


def hub_status(refresh: bool = False) -> HubStatus:
    """Whether the Hub can be used, decided once per process (2 s at most)."""
    global _status
    if _status is not None and not refresh:
        return _status
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE:
        _status = HubStatus(False, "HF_HUB_OFFLINE=1 is set")
    else:
        endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
        host = endpoint.hostname or "huggingface.co"
        port = endpoint.port or (443 if endpoint.scheme != "http" else 80)
        if _can_connect(host, port, CHECK_TIMEOUT_S):
            _status = HubStatus(True, f"{host} is reachable")
        else:
            _status = HubStatus(False, f"{host} is not reachable (checked in {CHECK_TIMEOUT_S:.0f} s at most)")
    if not _status.online:
        set_offline_mode()
    return _status
