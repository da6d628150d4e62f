"""Can the Hugging Face Hub be used? Decide once, within 2 seconds, and tell the libraries.

A TCP connection is not an answer: a captive portal or a dead proxy accepts connections and
never replies, and the libraries then wait for minutes (their own timeouts do not bound it).
So the check makes the two requests the libraries begin with, side by side, with one hard
overall deadline, in threads that are abandoned if they overrun: `load_dataset` first asks the
datasets API (JSON), `from_pretrained` first asks for a file's metadata (a HEAD on `resolve`,
answered with an `X-Repo-Commit` header, which huggingface_hub requires). A proxy that answers
one and stalls on the other counts as unavailable. The reason printed is what was observed.

`hub_status()` only decides; `configure_libraries()` tells the libraries: if the Hub does not
answer as the Hub, offline mode in `huggingface_hub`, `datasets` and `transformers`, which then
answer from the local cache in milliseconds; if it does, bounded waits, so that a Hub that fails
after answering the check costs seconds, not the minutes of the libraries' own retries.
"""

import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from urllib.parse import urljoin, urlparse

CHECK_TIMEOUT_S = 2.0
DEFAULT_ENDPOINT = "https://huggingface.co"
# The first request of load_dataset("nyu-mll/glue", ...) and of from_pretrained("bert-base-uncased").
API_PATH = "/api/datasets/nyu-mll/glue"
FILE_PATH = "/google-bert/bert-base-uncased/resolve/main/config.json"
ASKED = {"api": "the datasets API", "file": "a file request"}
REPO_COMMIT_HEADER = "X-Repo-Commit"  # on every Hub file answer; huggingface_hub refuses one without it
DECISION_ENV = "HELPERS_HUB_DECISION"  # the runner's decision, passed on to the notebooks it runs
# Short library timeouts for when the Hub did answer: a later stall fails in seconds, not minutes.
ONLINE_TIMEOUTS = {"HF_HUB_ETAG_TIMEOUT": "5", "HF_HUB_DOWNLOAD_TIMEOUT": "20"}
WAIT_BOUND_S = 20  # once the Hub answered the check: the longest any step of a request (connect, a read) waits
RETRIED_STATUSES = (408, 429)  # with every 5xx: answers huggingface_hub retries, 1 + 2 + 4 + 8 + 8 s apart
NETWORK_RECORD = "network"  # the record a kernel leaves when the Hub failed after the check
_TRUE = {"1", "true", "yes", "on"}


def check_endpoint() -> None:
    """A malformed HF_ENDPOINT breaks importing huggingface_hub (urlsplit in its constants): say so
    in one line before anything imports the library."""
    from ..errors import ParameterError

    value = os.environ.get("HF_ENDPOINT")
    if value is None:
        return
    try:
        parts = urlparse(value)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as error:
        raise ParameterError(
            "HF_ENDPOINT", value, f"is not a URL ({error}); unset it or give e.g. {DEFAULT_ENDPOINT!r}"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ParameterError("HF_ENDPOINT", value, f"must be an http(s) URL such as {DEFAULT_ENDPOINT!r}")


@dataclass(frozen=True)
class HubStatus:
    online: bool
    reason: str  # what was observed, in a few words a learner can act on


_status: HubStatus | None = None


def endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", DEFAULT_ENDPOINT).rstrip("/")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect comes back as an HTTPError, to be looked at


_opener = urllib.request.build_opener(_NoRedirects)


def _answer(url: str, method: str, timeout: float):
    """The response to one request, following redirects on the same host only (as huggingface_hub
    does); an HTTP error status is an answer too."""
    for _ in range(5):
        try:
            response = _opener.open(urllib.request.Request(url, method=method), timeout=timeout)
        except urllib.error.HTTPError as error:  # 3xx, 401, 404 ...: the server did answer
            response = error
        with response:
            target = urljoin(url, response.headers.get("Location", ""))
            if not 300 <= response.status < 400 or urlparse(target).netloc != urlparse(url).netloc:
                return response.status, response.headers
            url = target
    return response.status, response.headers


def _as_the_hub(what: str, status: int, headers) -> str | None:
    """None if the answer is the Hub's, else what was seen instead."""
    kind = headers.get("Content-Type", "") or "no content type"
    if status >= 400:  # the Hub answers both with 200 (a file's metadata may come on a redirect)
        return f"answered HTTP {status}{' (a server error)' if status >= 500 else ''} to {ASKED[what]}"
    if what == "api" and "json" not in kind:
        return f"answered, but not as the Hub does ({kind}): a captive portal or proxy?"
    if what == "file" and not headers.get(REPO_COMMIT_HEADER):
        return (
            f"answered a file request, but not as the Hub does (HTTP {status}, no {REPO_COMMIT_HEADER}): "
            "a captive portal or proxy?"
        )
    return None


def probe(base: str, deadline: float = CHECK_TIMEOUT_S) -> HubStatus:
    """The datasets API and a file's metadata, asked side by side, with one hard overall deadline
    (DNS, connect, TLS and the answers together)."""
    host = urlparse(base).hostname or base
    requests = {"api": (base + API_PATH, "GET"), "file": (base + FILE_PATH, "HEAD")}
    seen: dict[str, str | None] = {}  # what -> None (answered as the Hub) or what was wrong
    started = time.perf_counter()

    def ask(what, url, method):
        problem = _ask(url, method, deadline, what)
        if problem is not _NO_ANSWER:
            seen[what] = problem

    threads = [threading.Thread(target=ask, args=(what, *request), daemon=True) for what, request in requests.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - (time.perf_counter() - started)))
    return _verdict(host, dict(seen), list(requests), deadline, time.perf_counter() - started)  # a snapshot


_NO_ANSWER = object()  # no answer in time: whoever notices first (the asking thread or the deadline)


def _ask(url: str, method: str, deadline: float, what: str):
    """None (answered as the Hub), what was wrong, or _NO_ANSWER."""
    try:
        return _as_the_hub(what, *_answer(url, method, deadline))
    except TimeoutError:
        return _NO_ANSWER
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return _NO_ANSWER
        return f"is not reachable ({_why(error.reason)})"
    except (OSError, ValueError) as error:
        return f"is not reachable ({_why(error)})"


def _verdict(host: str, answers: dict, asked: list[str], deadline: float, took: float) -> HubStatus:
    problems = [answers[what] for what in asked if answers.get(what)]
    if problems:
        return HubStatus(False, f"{host} {problems[0]}")
    if len(answers) == len(asked):
        return HubStatus(True, f"{host} answered in {took:.1f} s")
    if answers:  # one answered as the Hub, the other not in time: a proxy that lets only some through
        (answered,), (silent,) = answers, set(asked) - set(answers)
        return HubStatus(False, f"{host} answered {ASKED[answered]} but not {ASKED[silent]} within {deadline:.0f} s")
    return HubStatus(False, f"{host} did not answer within {deadline:.0f} s")


def _why(error) -> str:
    text = str(getattr(error, "strerror", None) or error)
    return text.splitlines()[0][:80] if text else type(error).__name__


def hub_status(refresh: bool = False) -> HubStatus:
    """Whether the Hub can be used, decided once per process (in 2 s at most), or as a failure after
    the check changed it. Only decides: `configure_libraries()` tells the libraries."""
    global _status
    if _status is not None and not refresh:
        return _status
    passed_on = os.environ.get(DECISION_ENV)
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE and not passed_on:
        _status = HubStatus(False, "HF_HUB_OFFLINE=1 is set")
    elif passed_on:
        _status = HubStatus(**json.loads(passed_on))
    else:
        _status = probe(endpoint())
    return _status


def configure_libraries(status: HubStatus | None = None) -> HubStatus:
    """Tell the libraries what was decided (by default `hub_status()`): offline mode where the Hub is
    unavailable; where it answered, bounded waits. The call that changes them; returns the status."""
    status = status or hub_status()
    if status.online:
        use_short_timeouts()
        bound_streaming_retries()
        guard_requests()
        guard_xet_downloads()
    else:
        set_offline_mode()
    return status


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


def bound_streaming_retries() -> None:
    """`datasets` retries a streamed read 20 times, 5 to 60 s apart: at most 3 times, 5 s apart."""
    import datasets.config as config

    for name in ("STREAMING_READ_MAX_RETRIES", "STREAMING_OPEN_MAX_RETRIES"):
        setattr(config, name, min(getattr(config, name), 3))
    for name in (
        "STREAMING_READ_RETRY_INTERVAL",
        "STREAMING_READ_SERVER_UNAVAILABLE_RETRY_INTERVAL",
        "STREAMING_READ_RATE_LIMIT_RETRY_INTERVAL",
        "STREAMING_OPEN_RETRY_INTERVAL",
    ):
        setattr(config, name, min(getattr(config, name), 5))


_guarded, _tripped = False, threading.Lock()


def guard_requests() -> None:
    """Every request huggingface_hub makes (`datasets` downloads through it too) waits at most
    WAIT_BOUND_S for any step; the first answer it would retry (HTTP 408, 429, 5xx), timeout or
    broken connection switches offline mode on, with what was seen as the reason (`_trip`).

    Why: after a failed file request huggingface_hub asks again with a 60 s timeout, up to 5 times,
    1 to 8 s apart; a Hub that answers the check and then fails every request cost 25 s per file
    (HTTP 500) or minutes (no answer). Offline, the next request is refused at once
    (OfflineModeIsEnabled, which the libraries answer from the cache) and nothing is retried."""
    global _guarded
    if _guarded:
        return
    import httpx2
    from huggingface_hub import get_session, set_client_factory

    hooks = get_session().event_hooks  # the library's own: refuse when offline, request ids
    Guarded = _guarded_client_class(httpx2)
    set_client_factory(lambda: Guarded(event_hooks=hooks, follow_redirects=True, timeout=None))
    _guarded = True


def _guarded_client_class(httpx2):
    """huggingface_hub's client with every wait bounded, tripping offline mode on what it would retry."""

    class Watched(httpx2.SyncByteStream):  # a streamed body (a download) that stops arriving
        def __init__(self, stream, request):
            self.stream, self.request = stream, request

        def __iter__(self):
            try:
                yield from self.stream
            except httpx2.TransportError as error:
                _trip(self.request, error)
                raise

        def close(self):
            self.stream.close()

    class Guarded(httpx2.Client):
        def send(self, request, **kwargs):
            limits = request.extensions.get("timeout") or {}
            request.extensions["timeout"] = {
                step: min(limits.get(step) or WAIT_BOUND_S, WAIT_BOUND_S)
                for step in ("connect", "read", "write", "pool")
            }
            try:
                response = super().send(request, **kwargs)
            except httpx2.TransportError as error:
                _trip(request, error)
                raise
            if response.status_code in RETRIED_STATUSES or response.status_code >= 500:
                _trip(request, response.status_code)
            elif not response.is_closed:
                response.stream = Watched(response.stream, request)
            return response

    return Guarded


def xet_waits() -> dict[str, str]:
    """hf_xet's own settings (read from the environment when its session starts) that bound it as
    WAIT_BOUND_S bounds every other request. Its defaults (xet-core's source, 1.5 to 1.6 and after)
    wait 60 s to connect and 300 s for data, and retry 5 times: a storage that never answered still
    held a download after 420 s here. Now at most WAIT_BOUND_S each, one retry: 41.5 s in all."""
    bound = f"{WAIT_BOUND_S:g}s"
    return {
        "HF_XET_CLIENT_CONNECT_TIMEOUT": bound,
        "HF_XET_CLIENT_READ_TIMEOUT": bound,
        "HF_XET_CLIENT_RETRY_MAX_ATTEMPTS": "1",
    }


def guard_xet_downloads() -> None:
    """The Hub keeps large files (model weights) in its xet storage, which huggingface_hub reads with
    hf_xet, in Rust, outside the guarded client: bounded by hf_xet's settings (unless the user chose
    their own), and its first failure switches offline mode on, with what it said."""
    for name, value in xet_waits().items():
        os.environ.setdefault(name, value)
    import huggingface_hub.file_download as file_download

    download = getattr(file_download, "xet_get", None)  # called by name from hf_hub_download, per xet file
    if download is None or getattr(download, "guarded", False):
        return  # another huggingface_hub: hf_xet's own settings above still bound it

    def guarded_xet_get(*args, **kwargs):
        try:
            return download(*args, **kwargs)
        except RuntimeError as error:  # hf_xet's errors reach Python as RuntimeError
            _trip_because(urlparse(endpoint()).hostname, f"its file storage (hf_xet) failed: {_innermost(error)}")
            raise

    guarded_xet_get.guarded = True
    file_download.xet_get = guarded_xet_get


def _innermost(error) -> str:
    """hf_xet's message nests its causes ("Task error: ...: CAS Client Error: ...: error sending
    request for url (...)"): the last says what was seen."""
    if not str(error):
        return type(error).__name__
    return re.sub(r"([0-9a-f]{8})[0-9a-f]{8,}", r"\1…", str(error).splitlines()[0].rsplit(": ", 1)[-1])[:120]


def _trip(request, seen) -> None:
    """A request through the guarded client failed: what came back, said in a few words."""
    what = f"{request.method} {request.url.path[:80]}"
    if isinstance(seen, int):
        what = f"HTTP {seen} to {what}"
    elif isinstance(seen, TimeoutError) or "Timeout" in type(seen).__name__:
        step = next((s for s in ("connect", "write", "pool") if s in type(seen).__name__.lower()), "read")
        what = f"no answer to {what} within {request.extensions['timeout'][step]:.0f} s"
    else:
        what = f"{what} failed ({type(seen).__name__}: {_why(seen)})"
    _trip_because(request.url.host, what)


def _trip_because(host: str, what: str) -> None:
    """The Hub answered the check, then failed: offline mode from here on, and one line saying what
    came back (kept as a record for the run's summary, and as the reason sources give)."""
    global _status
    if not _tripped.acquire(blocking=False):
        return  # said once: the first failure is the one that matters
    _status = HubStatus(False, f"{host} answered the check, then {what}")
    set_offline_mode()
    from ..report import record

    record(
        NETWORK_RECORD,
        _status.reason,
        label="The Hub after the check",
        note="(offline from here on: the local cache, or an error)",
    )


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
