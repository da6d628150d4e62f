"""Fixtures the tests share. (Settings every run gets, offline and quiet, are in ../conftest.py.)"""

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from servers import serve

ROOT = Path(__file__).resolve().parent.parent
REAL_MRPC = ROOT.parent / "shared" / "data" / "glue-mrpc"


@pytest.fixture(scope="session")
def real_mrpc() -> Path:
    """The real GLUE MRPC, for checking the course's figures; absent on a learner's machine."""
    if not (REAL_MRPC / "train-00000-of-00001.parquet").is_file():
        pytest.skip("real MRPC corpus not found at ../shared/data/glue-mrpc")
    return REAL_MRPC


@pytest.fixture(scope="session")
def bert_tokenizer():
    from transformers import AutoTokenizer

    import helpers

    return AutoTokenizer.from_pretrained(helpers.resolve("bert-base-uncased", "sample").target)


@pytest.fixture(scope="session")
def sample():
    from datasets import load_dataset

    import helpers

    return load_dataset(helpers.resolve("nyu-mll/glue", "sample").target, "mrpc")


@pytest.fixture
def task_folder(tmp_path, sample):
    """make(task, folder=None) -> (folder, rows per split): plain parquet files in `task`'s schema (features
    in the parquet metadata, as the Hub's), made from the sample's sentences. Only the shape
    matters here (columns, label type, split names), not the meaning of the labels."""
    import datasets

    import helpers
    from helpers.report import quiet_libraries

    def make(task: str, folder: Path | None = None) -> tuple[Path, dict[str, int]]:
        folder = folder or tmp_path / f"{task}-data"
        folder.mkdir(parents=True, exist_ok=True)
        info = helpers.get_task(task)
        pools = [sample["train"], sample["validation"], sample["test"]]
        rows = {}
        for number, split in enumerate(info.splits):
            part = pools[min(number, 2)]
            n = part.num_rows
            labels = list(part["label"])
            if not info.has_labels or split.startswith("test"):
                labels = [-1.0 if info.is_regression else -1] * n  # GLUE hides test labels
            elif info.is_regression:
                labels = [round(1.0 + 3.5 * y, 1) for y in labels]
            else:
                labels = [(i + y) % info.num_labels for i, y in enumerate(labels)]
            texts = {
                column: list(part[source]) for column, source in zip(info.text_columns, ("sentence1", "sentence2"))
            }
            with quiet_libraries():  # the fixture's own writing: no bars in the tests' output
                datasets.Dataset.from_dict(
                    {**texts, "label": labels, "idx": list(range(n))}, features=info.features()
                ).to_parquet(str(folder / f"{split}-00000-of-00001.parquet"))
            rows[split] = n
        return folder, rows

    return make


@pytest.fixture
def read_only_dir(tmp_path):
    """A folder nobody can write: a read-only tmpfs where we may mount one (root), else a folder
    without write permission (an ordinary user)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], capture_output=True
        ).returncode
        == 0
    )
    if not mounted:
        folder.chmod(0o500)
        if os.access(folder, os.W_OK):
            pytest.skip("cannot make a read-only folder here")
    try:
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
        else:
            folder.chmod(0o700)


SILENT_SERVER = """
import socket, time
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(64)
print(server.getsockname()[1], flush=True)
clients = []
while True:                      # accept, then never say a word
    clients.append(server.accept()[0])
"""


@pytest.fixture
def silent_server():
    """A process that accepts TCP connections and never answers; stopped by its pid."""
    process = subprocess.Popen([sys.executable, "-c", SILENT_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait(timeout=10)
    assert process.poll() is not None


@pytest.fixture(autouse=True)
def fresh_source_lines():
    """Each test starts as a fresh kernel: `locate` prints a name's source line once per process."""
    from helpers.offline import sources

    sources._SHOWN.clear()
    yield


class _HubThenHandler(http.server.BaseHTTPRequestHandler):
    """Answers the check's two requests and the agent registry as the Hub does, then every other
    request with HTTP 500 (mode "500") or never ("stall"); subclassed per server with `mode`,
    `seen` (the other requests' (method, path)) and `release` (ends the stalls)."""

    protocol_version = "HTTP/1.1"
    mode, seen, release = "500", [], threading.Event()

    def _answer(self, status: int, headers: dict, body: bytes = b""):
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _any(self):
        from helpers.offline import hub

        probe = "urllib" in self.headers.get("User-Agent", "")
        if probe and (self.command, self.path) in {("GET", hub.API_PATH), ("HEAD", hub.FILE_PATH)}:
            return self._answer(
                200, {"Content-Type": "application/json", hub.REPO_COMMIT_HEADER: "0" * 40, "ETag": '"abc"'}, b"{}"
            )
        if self.path == "/api/agent-harnesses":
            registry = {"standardEnvVars": [], "harnesses": {}}
            return self._answer(200, {"Content-Type": "application/json"}, json.dumps(registry).encode())
        self.seen.append((self.command, self.path.split("?")[0]))
        if self.mode == "stall":
            self.release.wait(120)
            self.close_connection = True
            return None
        return self._answer(500, {"Content-Type": "text/plain"}, b"Internal Server Error")

    do_GET = do_HEAD = do_POST = _any

    def log_message(self, *args):
        pass


@pytest.fixture
def hub_then():
    """start(mode) -> (endpoint, requests): a server on 127.0.0.1 that answers the check's two
    requests (helpers.offline.hub.probe, made with urllib) and the agent registry as the Hub does, then
    answers every other request with HTTP 500 (mode "500") or never ("stall"). `requests` lists
    (method, path) of the others, as they arrive."""
    servers, release = [], threading.Event()

    def start(mode: str):
        seen = []
        handler = type("Handler", (_HubThenHandler,), {"mode": mode, "seen": seen, "release": release})
        server = serve(handler)
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", seen

    yield start
    release.set()
    for server in servers:
        server.shutdown()
        server.server_close()
