"""helpers.hub: offline is decided once and fast, and the libraries are told."""

import socket
import time

import pytest

from helpers import hub


@pytest.fixture
def fresh_status(monkeypatch):
    monkeypatch.setattr(hub, "_status", None)
    monkeypatch.setattr(hub, "set_offline_mode", lambda: None)  # keep this process's settings as they are
    yield
    hub._status = None


def test_hf_hub_offline_is_honoured_without_any_check(fresh_status, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub, "_can_connect", lambda *a: pytest.fail("must not touch the network"))
    status = hub.hub_status()
    assert not status.online and status.reason == "HF_HUB_OFFLINE=1 is set"


def test_unreachable_endpoint_is_decided_within_the_timeout(fresh_status, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    started = time.perf_counter()
    status = hub.hub_status()
    assert time.perf_counter() - started <= hub.CHECK_TIMEOUT_S + 0.5
    assert not status.online and "127.0.0.1 is not reachable" in status.reason


def test_reachable_endpoint_counts_as_online(fresh_status, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.getsockname()[1]}")
        status = hub.hub_status()
    assert status.online and status.reason == "127.0.0.1 is reachable"


def test_the_decision_is_made_once(fresh_status, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    first = hub.hub_status()
    monkeypatch.delenv("HF_HUB_OFFLINE")
    assert hub.hub_status() is first


def test_offline_mode_reaches_the_libraries(monkeypatch):
    import datasets.config
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    hub.set_offline_mode()
    assert huggingface_hub.constants.HF_HUB_OFFLINE is True
    assert datasets.config.HF_HUB_OFFLINE is True
