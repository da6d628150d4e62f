"""helpers.hub: the Hub is used only if it answers as the Hub, decided within 2 s whatever the
network does, and the reason given is what was observed.

Network states a classroom has, made on 127.0.0.1: nobody listening, a server that accepts
connections and never answers (a dead proxy), a captive portal that answers with a web page, and
a server that answers as the Hub's API does.
"""

import http.server
import json
import os
import socket
import threading
import time

import pytest

from helpers import hub


@pytest.fixture
def fresh_status(monkeypatch):
    monkeypatch.setattr(hub, "_status", None)
    monkeypatch.setattr(hub, "set_offline_mode", lambda: None)  # keep this process's settings as they are
    monkeypatch.setattr(hub, "use_short_timeouts", lambda: None)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv(hub.DECISION_ENV, raising=False)
    yield
    hub._status = None


HUB_FILE_HEADERS = {"Content-Type": "application/json", hub.REPO_COMMIT_HEADER: "0" * 40, "ETag": '"abc"'}


def _http_server(content_type: str = "application/json", body: bytes = b"{}", file=None, hang_on_files=False):
    """A server on 127.0.0.1. GET answers with `content_type` and `body` (the API); HEAD (a file's
    metadata) answers with `file`'s (status, headers), or the Hub's, or never (`hang_on_files`)."""
    stop = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.end_headers()
            self.wfile.write(body)

        def do_HEAD(self):
            if hang_on_files:
                stop.wait(30)
                return
            status, headers = (file or {}).get(self.path, (200, HUB_FILE_HEADERS if file is None else {}))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.release = stop.set
    return server


def _status_from(server, monkeypatch) -> hub.HubStatus:
    try:
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}/")
        return hub.hub_status(refresh=True)
    finally:
        server.release()
        server.shutdown()


def test_hf_hub_offline_is_honoured_without_any_check(fresh_status, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub, "probe", lambda *a: pytest.fail("must not touch the network"))
    status = hub.hub_status()
    assert not status.online and status.reason == "HF_HUB_OFFLINE=1 is set"


def test_nobody_listening_is_unreachable(fresh_status, monkeypatch):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    status = hub.hub_status()
    assert not status.online and status.reason.startswith("127.0.0.1 is not reachable (")


def test_a_server_that_never_answers_is_decided_within_the_deadline(fresh_status, monkeypatch, silent_server):
    monkeypatch.setenv("HF_ENDPOINT", silent_server)
    started = time.perf_counter()
    status = hub.hub_status()
    took = time.perf_counter() - started
    assert hub.CHECK_TIMEOUT_S - 0.1 <= took <= hub.CHECK_TIMEOUT_S + 0.5
    assert not status.online
    assert status.reason == "127.0.0.1 did not answer within 2 s"  # true: it accepted, never answered


def test_a_captive_portal_is_not_the_hub(fresh_status, monkeypatch):
    portal = {hub.FILE_PATH: (200, {"Content-Type": "text/html"})}
    status = _status_from(_http_server("text/html", b"<html>Please log in</html>", file=portal), monkeypatch)
    assert not status.online and "answered, but not as the Hub does (text/html)" in status.reason
    # one that redirects every request to its login page, on another host
    login = {hub.FILE_PATH: (302, {"Location": "http://portal.example/login"})}
    status = _status_from(_http_server(file=login), monkeypatch)
    assert not status.online
    assert status.reason.endswith(f"(HTTP 302, no {hub.REPO_COMMIT_HEADER}): a captive portal or proxy?")


def test_answers_as_the_hubs_count_as_online(fresh_status, monkeypatch):
    status = _status_from(_http_server(body=json.dumps({"id": "nyu-mll/glue"}).encode()), monkeypatch)
    assert status.online and status.reason.startswith("127.0.0.1 answered in ")
    # a renamed repository (same host, followed) and a file on a CDN (another host, not followed,
    # its metadata on the redirect itself), as huggingface_hub treats them
    moved = {hub.FILE_PATH: (307, {"Location": "/new-name/config.json"}),
             "/new-name/config.json": (200, HUB_FILE_HEADERS)}
    assert _status_from(_http_server(file=moved), monkeypatch).online
    cdn = {hub.FILE_PATH: (302, {"Location": "https://cdn.example/x", **HUB_FILE_HEADERS})}
    assert _status_from(_http_server(file=cdn), monkeypatch).online


def test_a_proxy_that_answers_the_api_but_not_files_is_not_the_hub(fresh_status, monkeypatch):
    """Seen here: a server that answers the API and stalls on files made AutoTokenizer.from_pretrained
    retry for more than 6 minutes, even with the short library timeouts."""
    started = time.perf_counter()
    status = _status_from(_http_server(hang_on_files=True), monkeypatch)
    assert time.perf_counter() - started <= hub.CHECK_TIMEOUT_S + 0.5
    assert status == hub.HubStatus(False, "127.0.0.1 answered the datasets API but not a file request within 2 s")
    # and one that answers JSON to anything: no X-Repo-Commit, so the libraries would refuse it
    status = _status_from(_http_server(file={hub.FILE_PATH: (200, {"Content-Type": "application/json"})}), monkeypatch)
    assert not status.online and f"(HTTP 200, no {hub.REPO_COMMIT_HEADER})" in status.reason


def test_the_decision_is_made_once(fresh_status, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    first = hub.hub_status()
    monkeypatch.delenv("HF_HUB_OFFLINE")
    assert hub.hub_status() is first


def test_a_decision_passed_on_keeps_its_reason(fresh_status, monkeypatch):
    """The runner decides once and hands the decision to its kernels with the true reason, not
    'HF_HUB_OFFLINE=1 is set' (which it sets so that the libraries read it at import)."""
    decided = hub.HubStatus(False, "127.0.0.1 did not answer within 2 s")
    env = hub.decision_env(decided)
    assert env["HF_HUB_OFFLINE"] == "1"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert hub.hub_status() == decided


def test_online_sets_short_library_timeouts_unless_chosen(monkeypatch):
    import huggingface_hub.constants as constants

    monkeypatch.delenv("HF_HUB_ETAG_TIMEOUT", raising=False)
    monkeypatch.setenv("HF_HUB_DOWNLOAD_TIMEOUT", "60")
    monkeypatch.setattr(constants, "HF_HUB_ETAG_TIMEOUT", 10)
    monkeypatch.setattr(constants, "HF_HUB_DOWNLOAD_TIMEOUT", 10)
    hub.use_short_timeouts()
    assert constants.HF_HUB_ETAG_TIMEOUT == int(hub.ONLINE_TIMEOUTS["HF_HUB_ETAG_TIMEOUT"])
    assert constants.HF_HUB_DOWNLOAD_TIMEOUT == 60  # the user's own choice stays


def test_offline_mode_reaches_the_libraries(monkeypatch):
    import datasets.config
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    hub.set_offline_mode()
    assert huggingface_hub.constants.HF_HUB_OFFLINE is True
    assert datasets.config.HF_HUB_OFFLINE is True
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_scoped_env_restores_the_callers_environment(monkeypatch):
    monkeypatch.setenv("KEEP_ME", "mine")
    monkeypatch.delenv("NEW_ONE", raising=False)
    with hub.scoped_env({"KEEP_ME": "theirs", "NEW_ONE": "1"}):
        assert os.environ["KEEP_ME"] == "theirs" and os.environ["NEW_ONE"] == "1"
    assert os.environ["KEEP_ME"] == "mine" and "NEW_ONE" not in os.environ


def test_a_socket_timeout_is_no_answer_whoever_notices_first(monkeypatch, silent_server):
    """On a busy machine the sockets' own timeout can fire before the deadline is read: still
    'did not answer', never 'not reachable'."""
    answer = hub._answer
    monkeypatch.setattr(hub, "_answer", lambda url, method, timeout: answer(url, method, 0.2))
    assert hub.probe(silent_server, deadline=1.0) == hub.HubStatus(False, "127.0.0.1 did not answer within 1 s")
