"""W&B stand-ins on 127.0.0.1: a server that never answers W&B's API, and one that creates
sweeps. No traffic leaves the machine."""

from __future__ import annotations

import http.server
import json
import threading
import time
from typing import Any


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


class _CreatesSweeps(_AnswersOnlyTheProbe):
    """Answers the two GraphQL calls `wandb.sweep()` makes (Viewer, UpsertSweep) and records
    each UpsertSweep's variables; like the server above, it never answers anything else."""

    created: list[dict[str, Any]]

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        query = str(body.get("query", ""))
        if "upsertSweep" in query:
            self.created.append(body.get("variables", {}))
            name = f"sw{len(self.created):06d}"
            data: dict[str, Any] = {"upsertSweep": {"sweep": {"name": name, "project": {
                "id": "p", "name": "sweep", "entity": {"id": "e", "name": "me"}}},
                "configValidationWarnings": []}}
        elif "viewer" in query:
            data = {"viewer": {"id": "v", "entity": "me", "username": "me", "flags": "{}",
                               "teams": {"edges": []}}}
        else:
            time.sleep(600)
            return
        out = json.dumps({"data": data}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def serve_wandb_sweeps() -> tuple[str, http.server.ThreadingHTTPServer, list[dict[str, Any]]]:
    """A W&B stand-in on 127.0.0.1 where `wandb.sweep()` creates sweeps (ids sw000001, ...)
    and every other API call goes unanswered, so runs fall back to offline. Returns its URL,
    the server, and the list of created sweeps' UpsertSweep variables (config, project, ...)."""
    created: list[dict[str, Any]] = []
    handler = type("Handler", (_CreatesSweeps,), {"created": created})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server, created
