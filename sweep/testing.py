"""Fakes that the tests and the benchmark scripts share (as `optuna.testing` does for Optuna)."""

from __future__ import annotations

import http.server
import threading
import time


class _AnswersOnlyTheProbe(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:  # noqa: N802
        self.send_response(200)
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802
        time.sleep(600)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


def serve_unanswering_wandb() -> tuple[str, http.server.ThreadingHTTPServer]:
    """A W&B stand-in on 127.0.0.1 that answers a HEAD at once (so sweep's reachability probe
    passes) and never answers W&B's API calls: what an overloaded server, or a network that
    drops packets, looks like to `wandb.init`. Returns its URL and the server (to shut down)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AnswersOnlyTheProbe)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
