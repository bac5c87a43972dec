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


class _HasSweepRuns(_AnswersOnlyTheProbe):
    """Answers the GraphQL queries W&B's public API sends for a sweep and its runs (Viewer,
    GetDefaultEntity, GetSweep, Runs page by page, RunSampledHistory) from `sweeps`: sweep id
    -> its runs, each {"name", "state", "config", "summary", "history"} as W&B shows them. Any
    other query gets a GraphQL error, so a call the stand-in does not know shows at once."""

    sweeps: dict[str, list[dict[str, Any]]]
    queries: list[str]

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path != "/graphql":  # wandb-core's own telemetry
            return self._send({})
        query, variables = str(body.get("query", "")), body.get("variables") or {}
        name = next((word for word in ("GetDefaultEntity", "Viewer", "GetSweep",
                                       "RunSampledHistory", "query Runs") if word in query),
                    "Viewer" if "viewer" in query else "?")  # older wandb: `query { viewer`
        self.queries.append(name)
        if name in ("GetDefaultEntity", "Viewer"):
            return self._send({"data": {"viewer": {
                "id": "v", "entity": "me", "username": "me", "email": None, "flags": "{}",
                "teams": {"edges": []}}}})
        if name == "GetSweep":
            runs = self.sweeps.get(variables.get("name", ""))
            return self._send({"data": {"project": None if runs is None else {"sweep": {
                "__typename": "Sweep", "id": "U3dlZXA6MQ==", "name": variables["name"],
                "displayName": variables["name"], "method": "bayes", "state": "FINISHED",
                "description": None, "bestLoss": None, "config": "method: bayes\n",
                "createdAt": "2026-12-01T00:00:00", "updatedAt": "2026-12-01T00:00:00",
                "runCount": len(runs), "runCountExpected": None}}}})
        if name == "query Runs":
            return self._send({"data": {"project": self._runs(variables)}})
        if name == "RunSampledHistory":
            run = self._run(variables.get("name"))
            keys = json.loads(variables["specs"][0])["keys"]
            rows = [{k: row[k] for k in keys if k in row}
                    for row in (run or {}).get("history", [])]
            return self._send({"data": {"project": {"run": {"sampledHistory": [rows]}}}})
        return self._send({"errors": [{"message": f"the stand-in does not answer {query[:80]}"}]})

    def _all_runs(self, filters: str | None) -> list[dict[str, Any]]:
        wanted = json.loads(filters or "{}").get("$and", [{}])[0].get("sweep")
        return [run for sweep, runs in self.sweeps.items() for run in runs
                if wanted is None or sweep == wanted]

    def _run(self, name: str | None) -> dict[str, Any] | None:
        return next((run for runs in self.sweeps.values() for run in runs
                     if run["name"] == name), None)

    def _runs(self, variables: dict[str, Any]) -> dict[str, Any]:
        runs = self._all_runs(variables.get("filters"))
        start = int(variables.get("cursor") or 0)
        page = runs[start:start + int(variables.get("perPage") or 50)]
        end = start + len(page)
        edges = [{"cursor": str(start + i + 1), "node": {
            "projectId": 1, "id": f"UnVuOj{start + i}", "tags": [], "name": run["name"],
            "displayName": run["name"], "sweepName": "sweep", "state": run["state"],
            "config": json.dumps({k: {"value": v} for k, v in run["config"].items()}),
            "group": None, "jobType": "trial", "commit": None, "readOnly": False,
            "createdAt": "2026-12-01T00:00:00", "heartbeatAt": "2026-12-01T00:01:00",
            "description": None, "notes": None, "systemMetrics": "{}",
            "summaryMetrics": json.dumps(run["summary"]),
            "historyLineCount": len(run.get("history", [])),
            "user": {"name": "me", "username": "me"},
            "historyKeys": {"keys": {}}}} for i, run in enumerate(page)]
        return {"internalId": "UHJvamVjdDox", "runCount": len(runs), "readOnly": False,
                "runs": {"edges": edges, "pageInfo": {"endCursor": str(end),
                                                      "hasNextPage": end < len(runs)}}}

    def _send(self, answer: dict[str, Any]) -> None:
        out = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def serve_wandb_sweep_runs(sweeps: dict[str, list[dict[str, Any]]]
                           ) -> tuple[str, http.server.ThreadingHTTPServer, list[str]]:
    """A W&B stand-in on 127.0.0.1 holding finished sweeps (sweep id -> runs; see
    _HasSweepRuns) for W&B's public API. Returns its URL, the server and the names of the
    queries it answered."""
    queries: list[str] = []
    handler = type("Handler", (_HasSweepRuns,), {"sweeps": sweeps, "queries": queries})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server, queries
