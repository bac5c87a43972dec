"""optuna-dashboard on the study that the same `python -m sweep` command runs, with its artifact
store (`python -m sweep.dashboard`).

The study name, storage and artifact folder come from the same composed config as the sweep's,
so the one thing to remember is the sweep command. It listens on 127.0.0.1 (dashboard.host,
dashboard.port): the dashboard has no login, and can edit notes and delete artifacts.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from omegaconf import DictConfig

from sweep.core.errors import ConfigError
from sweep.core.secrets import redact
from sweep.review.artifacts import open_store
from sweep.study.naming import artifact_dir, study_location, study_name
from sweep.study.storage import open_storage, storage_file

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a browser's open connections never hold the process at Ctrl-C


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        """No line per request: the terminal keeps the URL and any error."""


def locate(cfg: DictConfig, choices: dict[str, Any]) -> tuple[str, str, Path]:
    """The study name, its storage URL and its artifact folder, as `python -m sweep` with the
    same overrides has them. Refuses a study that does not exist (and creates nothing)."""
    name = study_name(cfg, choices)
    study_dir, url = study_location(cfg, name)
    path = storage_file(url)
    if path is not None and not path.exists():
        root = study_dir.parent
        found = sorted(p.parent.name for p in root.glob("*/study.db")) if root.is_dir() else []
        raise ConfigError("study.storage", redact(url), f"no study {name} there (studies under "
                          f"{root}: {', '.join(found) or 'none'})",
                          "pass the same overrides as the sweep (or study.name=...), or run "
                          "the sweep first")
    return name, url, artifact_dir(dict(cfg), study_dir)


def serve(cfg: DictConfig, choices: dict[str, Any]) -> int:
    import optuna
    import optuna_dashboard

    name, url, artifacts = locate(cfg, choices)
    storage = open_storage(url)
    try:
        study_id = storage.get_study_id_from_name(name)
    except KeyError as err:
        names = optuna.get_all_study_names(storage=storage)
        raise ConfigError("study.name", name, f"not in {redact(url)} (studies there: "
                          f"{', '.join(names) or 'none'})",
                          "pass the same overrides as the sweep, or study.name=...") from err
    host, port = str(cfg.dashboard.host), int(cfg.dashboard.port)
    app = optuna_dashboard.wsgi(storage, artifact_store=open_store(artifacts))
    try:
        server = make_server(host, port, app, server_class=_Server, handler_class=_QuietHandler)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise ConfigError("dashboard.port", port, "is in use",
                              f"pass dashboard.port={port + 1} (or another free port)") from err
        raise ConfigError("dashboard.host", host, f"cannot listen there ({err.strerror})",
                          "use dashboard.host=127.0.0.1") from err
    shown = f"[{host}]" if ":" in host else host
    print(f"study {name} in {redact(url)}, artifacts in {artifacts}", flush=True)
    if host not in LOOPBACK:
        print(f"warning: dashboard.host={host} lets other machines open (and edit) this study; "
              "the dashboard has no login", file=sys.stderr)
    print(f"dashboard: http://{shown}:{port}/dashboard/studies/{study_id}  (Ctrl-C stops it)",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("dashboard stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
