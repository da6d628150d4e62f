"""Can the Hugging Face Hub be used? Decide once, within 2 seconds, and tell the libraries.

A TCP connection is not an answer: a captive portal or a dead proxy accepts connections and
never replies, and the libraries then wait for minutes (their own timeouts do not bound it).
So the check is one real HTTP request to the Hub's API with a hard overall deadline, made in a
thread that is abandoned if it overruns. If the Hub does not answer as the Hub, offline mode is
switched on in `huggingface_hub`, `datasets` and `transformers`, which then answer from the local
cache in milliseconds. The reason printed is what was observed, never a guess.
"""

import json
import os
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from urllib.parse import urlparse

CHECK_TIMEOUT_S = 2.0
DEFAULT_ENDPOINT = "https://huggingface.co"
PROBE_PATH = "/api/models/bert-base-uncased"  # small JSON that only the Hub (or a mirror) serves
DECISION_ENV = "HELPERS_HUB_DECISION"  # the runner's decision, passed on to the notebooks it runs
# Short library timeouts for when the Hub did answer: a later stall fails in seconds, not minutes.
ONLINE_TIMEOUTS = {"HF_HUB_ETAG_TIMEOUT": "5", "HF_HUB_DOWNLOAD_TIMEOUT": "20"}
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class HubStatus:
    online: bool
    reason: str  # what was observed, in a few words a learner can act on


_status: HubStatus | None = None


def endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", DEFAULT_ENDPOINT).rstrip("/")


def probe(url: str, deadline: float = CHECK_TIMEOUT_S) -> HubStatus:
    """One GET with a hard overall deadline (DNS, connect, TLS and the answer together)."""
    host = urlparse(url).hostname or url
    result: list[HubStatus] = []
    started = time.perf_counter()

    def attempt():
        try:
            try:
                response = urllib.request.urlopen(url, timeout=deadline)
            except urllib.error.HTTPError as error:  # 401, 404 ...: the server did answer
                response = error
            with response:
                kind = response.headers.get("Content-Type", "")
                took = time.perf_counter() - started
                if "json" in kind:
                    result.append(HubStatus(True, f"{host} answered in {took:.1f} s"))
                else:
                    result.append(HubStatus(False, f"{host} answered, but not as the Hub does "
                                                   f"({kind or 'no content type'}): a captive portal or proxy?"))
        except urllib.error.URLError as error:
            result.append(HubStatus(False, f"{host} is not reachable ({_why(error.reason)})"))
        except (OSError, ValueError) as error:
            result.append(HubStatus(False, f"{host} is not reachable ({_why(error)})"))

    thread = threading.Thread(target=attempt, daemon=True)  # abandoned if it overruns the deadline
    thread.start()
    thread.join(deadline)
    if result:
        return result[0]
    return HubStatus(False, f"{host} did not answer within {deadline:.0f} s")


def _why(error) -> str:
    text = str(getattr(error, "strerror", None) or error)
    return text.splitlines()[0][:80] if text else type(error).__name__


def hub_status(refresh: bool = False) -> HubStatus:
    """Whether the Hub can be used, decided once per process (in 2 s at most)."""
    global _status
    if _status is not None and not refresh:
        return _status
    passed_on = os.environ.get(DECISION_ENV)
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE and not passed_on:
        _status = HubStatus(False, "HF_HUB_OFFLINE=1 is set")
    elif passed_on:
        _status = HubStatus(**json.loads(passed_on))
    else:
        _status = probe(endpoint() + PROBE_PATH)
    if _status.online:
        use_short_timeouts()
    else:
        set_offline_mode()
    return _status


def decision_env(status: HubStatus) -> dict[str, str]:
    """Environment that hands this decision, with its true reason, to notebook kernels."""
    env = {DECISION_ENV: json.dumps(asdict(status))}
    if not status.online:
        env["HF_HUB_OFFLINE"] = "1"  # the libraries read it at import, before any helper runs
    return env


def use_short_timeouts() -> None:
    """Short ETag and download timeouts, unless the user chose their own."""
    for name, seconds in ONLINE_TIMEOUTS.items():
        os.environ.setdefault(name, seconds)
    import huggingface_hub.constants as constants

    constants.HF_HUB_ETAG_TIMEOUT = int(os.environ["HF_HUB_ETAG_TIMEOUT"])
    constants.HF_HUB_DOWNLOAD_TIMEOUT = int(os.environ["HF_HUB_DOWNLOAD_TIMEOUT"])


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


@contextmanager
def scoped_env(values: dict[str, str]):
    """Set environment variables for the duration of a block, then restore the caller's."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
