"""Small servers the tests start on 127.0.0.1 (imported by the tests and their conftest.py)."""

import http.server
import threading


def serve(handler) -> http.server.ThreadingHTTPServer:
    """An HTTP server on a free port of 127.0.0.1, answering with `handler` in a thread of its own."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
