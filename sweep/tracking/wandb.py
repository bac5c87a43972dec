"""Weights & Biases mirror: one W&B run per trial, one for the finalist.

Trials: group = study name, job_type `trial`, name `trial-NNNN`; config = sampled parameters,
fixed train arguments, fidelity and the Optuna trial; one history row per epoch (step = Optuna's
step); a summary with the final state. The finalist: job_type `final`, its per-epoch history from
Ultralytics' results.csv, its metrics, plots and `best.pt` as a model artifact.

The mode is settled once, in the main process, and handed to the workers in their environment
(MODE_ENV): `auto` is online when a key is configured and W&B answers within PROBE_SECONDS, else
offline under `<study dir>/wandb` for `wandb sync` later. An
online `wandb.init` that still fails in a worker (bad key, quota, a network that drops) moves
that process to offline, once. No API key or database URL is put in any run: configs are built
here from named parts, and wandb's system metadata (which holds the command line) is off.
"""

from __future__ import annotations

import csv
import importlib.util
import netrc
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from sweep.errors import ConfigError
from sweep.memory import OOM_CONSTRAINT
from sweep.pruning import as_finite

if TYPE_CHECKING:
    import optuna

    from sweep.plan import Plan
    from sweep.tracking.events import Hook

MODES = ("auto", "online", "offline", "disabled")
# The mode the main process settled on, inherited by its workers (they start after it is set).
MODE_ENV = "SWEEP_WANDB_MODE"
# The W&B sweep the study's trial runs join (tracking.wandb.sweep), settled in the main process.
SWEEP_ENV = "SWEEP_WANDB_SWEEP_ID"
# Where the study keeps its W&B sweep (a system attr: bookkeeping, not the user's data).
SWEEP_ATTR = "wandb_sweep_id"
PROBE_SECONDS = 3.0
STATES = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed"}


def _say(message: str) -> None:
    print(f"W&B: {message}", flush=True)


def check(settings: dict[str, Any]) -> None:
    """Refuse bad `tracking.wandb.*` values before anything starts."""
    mode = settings.get("mode")
    if mode not in MODES:
        raise ConfigError("tracking.wandb.mode", mode, "unknown mode", f"use one of {list(MODES)}")
    if not isinstance(settings.get("project"), str) or not settings["project"]:
        raise ConfigError("tracking.wandb.project", settings.get("project"),
                          "must be a non-empty name", "set tracking.wandb.project=my-project")
    if settings.get("entity") is not None and not isinstance(settings["entity"], str):
        raise ConfigError("tracking.wandb.entity", settings["entity"], "must be a name or null",
                          "set tracking.wandb.entity=my-team, or null for the key's default")
    tags = settings.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ConfigError("tracking.wandb.tags", tags, "must be a list of strings",
                          "set tracking.wandb.tags=[a,b]")
    sweep = settings.get("sweep")
    if sweep is not None and (not isinstance(sweep, str) or not sweep.strip()
                              or "/" in sweep and sweep.count("/") != 2):
        raise ConfigError("tracking.wandb.sweep", sweep, "must be auto, a W&B sweep id "
                          "(or entity/project/id), or null",
                          "set tracking.wandb.sweep=auto, =<sweep id>, or =null")
    timeout = settings.get("init_timeout")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError("tracking.wandb.init_timeout", timeout, "must be seconds > 0",
                          "set tracking.wandb.init_timeout=15")
    if mode in ("online", "offline") and importlib.util.find_spec("wandb") is None:
        raise ConfigError("tracking.wandb.mode", mode, "the wandb package is not installed",
                          "pip install wandb, or set tracking.wandb.mode=disabled")


def callbacks(settings: dict[str, Any], plan: Plan) -> dict[str, Hook]:
    """The mirror's event functions (none when disabled, or when wandb is missing in auto)."""
    check(settings)
    if settings["mode"] == "disabled":
        return {}
    if importlib.util.find_spec("wandb") is None:  # auto: mirror when possible, never required
        _say("the wandb package is not installed, so trials are not mirrored "
             "(pip install wandb, or tracking.wandb.mode=disabled to silence this)")
        return {}
    # wandb's own error reports to W&B (OpenTelemetry) are flushed at interpreter exit; after an
    # online init failed against a server that does not answer, that flush held each process
    # ~12 s at exit (measured). Off unless the user turned it on explicitly.
    os.environ.setdefault("WANDB_ERROR_REPORTING", "false")
    mirror = WandbMirror(settings, plan)
    return {"on_run_start": mirror.on_run_start, "on_trial_start": mirror.on_trial_start,
            "on_epoch_end": mirror.on_epoch_end, "on_trial_end": mirror.on_trial_end,
            "on_final_end": mirror.on_final_end, "on_run_end": mirror.on_run_end}


def base_url() -> str:
    """The W&B server wandb would talk to (WANDB_BASE_URL, or wandb's default)."""
    import wandb

    return os.environ.get("WANDB_BASE_URL") or str(wandb.Settings().base_url)


def key_configured(url: str) -> bool:
    """An API key in the environment, or one `wandb login` saved in ~/.netrc for this host."""
    if os.environ.get("WANDB_API_KEY") or os.environ.get("WANDB_IDENTITY_TOKEN_FILE"):
        return True
    try:
        auth = netrc.netrc(os.environ.get("NETRC") or None).authenticators(
            urlparse(url).hostname or "")
    except (OSError, netrc.NetrcParseError):
        return False
    return bool(auth and auth[2])


def within(seconds: float, fn: Callable[[], Any]) -> Any:
    """`fn()` in a daemon thread with a hard deadline: its result, its error, or TimeoutError.

    Neither a name lookup nor wandb's retrying API client is bounded by socket timeouts."""
    outcome: list[tuple[bool, Any]] = []

    def target() -> None:
        try:
            outcome.append((True, fn()))
        except Exception as err:  # noqa: BLE001 - handed to the caller
            outcome.append((False, err))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if not outcome:
        raise TimeoutError(f"no answer within {seconds:.0f} s")
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def answers(url: str, timeout: float = PROBE_SECONDS) -> bool:
    """Whether the server answers an HTTP request within `timeout` (any status counts)."""

    def probe() -> bool:
        try:
            urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout)
        except urllib.error.HTTPError:
            return True  # it answered, if only to refuse
        except Exception:  # noqa: BLE001 - unreachable in any way
            return False
        return True

    try:
        return bool(within(timeout + 0.5, probe))
    except TimeoutError:
        return False


def resolve_mode(mode: str) -> tuple[str, str | None]:
    """The mode to use and, when it is offline against the user's wish, why."""
    if mode in ("offline", "disabled"):
        return mode, None
    url = base_url()
    if mode == "auto" and not key_configured(url):
        return "offline", "no API key (set WANDB_API_KEY or run `wandb login`)"
    if not answers(url):
        return "offline", f"{url} did not answer within {PROBE_SECONDS:.0f} s"
    return "online", None


def parameters(params: dict[str, Any]) -> dict[str, Any]:
    """Searched arguments under their W&B sweep parameter names (`space.lr0`), so that agent
    runs, Optuna-driven trials and the finalist share config keys in W&B's tables and sweep
    view."""
    from sweep.wandb_sweep import parameter_name

    return {parameter_name(arg): value for arg, value in params.items()}


def _artifact_name(study_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", study_name) + "-final"


def _results_history(run_dir: Path) -> list[tuple[int, dict[str, float]]]:
    """Ultralytics' results.csv as (step, row) pairs; step = epoch - 1, as the trials log."""
    path = run_dir / "results.csv"
    if not path.is_file():
        return []
    rows = []
    with open(path, newline="") as handle:
        for raw in csv.DictReader(handle):
            row = {key.strip(): value for key, text in raw.items()
                   if (value := as_finite(text)) is not None}
            if "epoch" in row:
                rows.append((int(row.pop("epoch")) - 1, row))
    return rows


def study_sweep_id(plan: Plan, create: Callable[[], str]) -> str:
    """The study's W&B sweep: the one recorded on the study, else `create()`'s, recorded.

    Under the study's claim lock, so several processes (machines sharing the study) create it
    once. An explicit id (`create` returning a fixed id) replaces a recorded one."""
    from sweep.storage import claim_lock, open_storage

    with claim_lock(plan.storage_url, plan.study_name):
        storage = open_storage(plan.storage_url)
        study_id = storage.get_study_id_from_name(plan.study_name)
        recorded = storage.get_study_system_attrs(study_id).get(SWEEP_ATTR)
        if recorded and plan.config["tracking"]["wandb"].get("sweep") == "auto":
            return str(recorded)
        sweep_id = create()
        if sweep_id != recorded:
            storage.set_study_system_attr(study_id, SWEEP_ATTR, sweep_id)
        return sweep_id


class WandbMirror:
    """One process's mirror. A worker holds at most one open run: its current trial's."""

    def __init__(self, settings: dict[str, Any], plan: Plan) -> None:
        self.settings = settings
        self.plan = plan
        self.mode = str(settings["mode"])
        if self.mode in ("auto", "online") and os.environ.get(MODE_ENV) in MODES:
            self.mode = os.environ[MODE_ENV]  # a worker: the main process settled it
        self.run: Any = None

    @property
    def study_dir(self) -> Path:
        """The search study's folder, also for the race (`<study dir>/race`): all the runs of
        one sweep go to one W&B group and one offline folder, which one `wandb sync` uploads."""
        here = Path(self.plan.study_dir)
        return here.parent if self.plan.race_of else here

    @property
    def runs_dir(self) -> Path:
        return self.study_dir / "wandb"

    def sync_hint(self) -> str:
        return f"wandb sync {self.runs_dir}/offline-run-*"

    def _init(self, sweep_id: str | None = None, **kwargs: Any) -> Any:
        """`wandb.init` in the settled mode; an online failure moves this process offline.

        `sweep_id`: the run joins that W&B sweep. wandb does this for a run whose settings carry
        a sweep id (an agent's runs get it from WANDB_SWEEP_ID): the id is part of the run's
        record, sent with the run when online and kept in an offline run for `wandb sync`. In a
        sweep, wandb ignores `project`/`entity` arguments and reads WANDB_PROJECT/WANDB_ENTITY.
        """
        import wandb

        if self.mode == "auto":  # a process started without a settled mode
            self.mode, _ = resolve_mode(self.mode)
        if self.mode == "disabled":
            return None
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        where: dict[str, Any] = {"project": self.settings["project"],
                                 "entity": self.settings.get("entity")}
        in_sweep = sweep_id or os.environ.get("WANDB_SWEEP_ID")
        if in_sweep:  # an agent set these for its runs; ours are set the same way
            os.environ.setdefault("WANDB_PROJECT", str(where["project"]))
            if where["entity"]:
                os.environ.setdefault("WANDB_ENTITY", str(where["entity"]))
            where = {}
        extra = {"sweep_id": sweep_id} if sweep_id else {}
        common = dict(
            **where, tags=list(self.settings.get("tags") or []),
            group=self.plan.race_of or self.plan.study_name, dir=str(self.study_dir),
            reinit="finish_previous",
            settings=wandb.Settings(init_timeout=float(self.settings["init_timeout"]),
                                    console="off", x_disable_meta=True, silent=True,
                                    disable_git=True, save_code=False, **extra),
        )
        try:
            return wandb.init(mode=self.mode, **common, **kwargs)
        except Exception as err:
            if self.mode != "online":
                raise
            first = str(err).strip().splitlines()[0] if str(err).strip() else ""
            _say(f"online init failed ({type(err).__name__}: {first[:200]}); this process "
                 f"mirrors offline from now on; upload later with: {self.sync_hint()}")
            self.mode = "offline"
            return wandb.init(mode="offline", **common, **kwargs)

    def _optuna(self, number: int | None) -> dict[str, Any]:
        cfg = self.plan.config
        return {"study": self.plan.study_name, "trial": number,
                "metric": cfg["study"]["metric"], "direction": cfg["study"]["direction"],
                "sampler": cfg.get("sampler", {}).get("_target_"),
                "pruner": cfg.get("pruner", {}).get("_target_")}

    # -- main process -------------------------------------------------------------------------
    def on_run_start(self, plan: Plan) -> None:
        self.mode, why = resolve_mode(str(self.settings["mode"]))
        os.environ[MODE_ENV] = self.mode  # the workers, started after this, inherit it
        where = f"{self.settings.get('entity') or '(default entity)'}/{self.settings['project']}"
        if self.mode == "online":
            _say(f"mirroring online to {where}, group {plan.study_name}")
        else:
            reason = f" ({why})" if why else ""
            _say(f"offline{reason}: runs in {self.runs_dir}; upload later with: "
                 f"{self.sync_hint()}")
        os.environ.pop(SWEEP_ENV, None)
        if os.environ.get("WANDB_SWEEP_ID"):
            return  # a W&B agent's run: it is in the agent's sweep already
        try:
            sweep_id = self.study_sweep(plan)
        except Exception as err:  # noqa: BLE001 - the view is a nicety; the sweep goes on
            _say(f"no W&B sweep view ({type(err).__name__}: {str(err)[:200]}); trial runs are "
                 "mirrored without one")
            sweep_id = None
        if sweep_id:
            os.environ[SWEEP_ENV] = sweep_id  # the workers' trial runs join it

    def study_sweep(self, plan: Plan) -> str | None:
        """The W&B sweep whose view shows this study (`tracking.wandb.sweep`): `auto` creates
        one from the study's export once per study (online only: a sweep lives on the server),
        an id names an existing one; recorded on the study either way."""
        wanted = self.settings.get("sweep")
        if not wanted:
            return None
        if wanted == "auto" and self.mode != "online":
            # A sweep lives on the server: none offline (README: how to link offline runs).
            return None

        def create() -> str:
            import wandb

            from sweep.wandb_sweep import sweep_config

            config = sweep_config(plan.config, plan.overrides, plan.study_name)
            return str(within(float(self.settings["init_timeout"]), lambda: wandb.sweep(
                config, entity=self.settings.get("entity"), project=self.settings["project"])))

        sweep_id = study_sweep_id(plan, create if wanted == "auto" else lambda: str(wanted))
        _say(f"trial runs join W&B sweep {sweep_id} (its page: W&B project "
             f"{self.settings['project']}, Sweeps)")
        return sweep_id

    def on_final_end(self, record: dict[str, Any], plan: Plan) -> None:
        run_dir = Path(record["run_dir"])
        cfg = plan.config
        config = {**parameters(record["params"]), "train": dict(cfg["train"]),
                  "final": {k: cfg["final"][k] for k in ("epochs", "fraction", "patience")},
                  "source_trial": record.get("source_trial"), "model": plan.model,
                  "data": plan.data_yaml, "optuna": self._optuna(record.get("source_trial"))}
        # a retrain is named after its folder (final, final-2, ...); a race winner is `final`
        name = "final" if record.get("race") else run_dir.parent.name
        run = self._init(job_type="final", name=name, config=config)
        if run is None:
            return
        import wandb

        history = _results_history(run_dir)
        for step, row in history:
            run.log(row, step=step)
        plots = sorted(p for p in run_dir.glob("*") if p.suffix.lower() in (".png", ".jpg"))
        if plots:
            next_step = history[-1][0] + 1 if history else 0
            run.log({f"plots/{p.stem}": wandb.Image(str(p)) for p in plots}, step=next_step)
        run.summary.update({**record.get("metrics", {}), "value": record.get("value"),
                            "state": "complete", "wall_time_s": record.get("wall_time_s"),
                            "device": record.get("device"), "epochs": record.get("epochs"),
                            "train_images": record.get("train_images")})
        weights = Path(record["weights"])
        if weights.is_file():
            artifact = wandb.Artifact(_artifact_name(plan.study_name), type="model",
                                      metadata={"metrics": record.get("metrics", {}),
                                                "params": record["params"]})
            artifact.add_file(str(weights), name="best.pt")
            run.log_artifact(artifact, aliases=["best"])
        record["wandb_run_id"] = run.id
        if self.mode == "online":
            record["wandb_url"] = run.url
        run.finish()

    def on_run_end(self, summary: dict[str, Any], plan: Plan) -> None:
        if self.mode == "offline" and self.runs_dir.is_dir():
            _say(f"offline runs in {self.runs_dir}; upload them with: {self.sync_hint()}")

    # -- worker -------------------------------------------------------------------------------
    def on_trial_start(self, trial: optuna.Trial, info: dict[str, Any]) -> None:
        config = {**parameters(info["params"]), "train": info["train"],
                  "fidelity": info["fidelity"],
                  "model": info["model"], "data": info["data"],
                  "optuna": self._optuna(trial.number)}
        notes = None
        retry_of = trial.user_attrs.get("retry_of")
        if retry_of is not None:
            earlier = next((t for t in trial.study.get_trials(deepcopy=False)
                            if t.number == retry_of), None)
            attrs = earlier.user_attrs if earlier is not None else {}
            config["retry_of"] = {"trial": retry_of, "wandb_run_id": attrs.get("wandb_run_id"),
                                  "wandb_url": attrs.get("wandb_url")}
            notes = (f"Retry of trial {retry_of} (W&B run {attrs.get('wandb_run_id')}), whose "
                     f"worker died: {attrs.get('fail_reason', 'unknown')}")
        # a race candidate (sweep.race) is named after the search trial it retrains
        candidate_of = trial.user_attrs.get("candidate_of")
        job_type, name = ("trial", f"trial-{trial.number:04d}") if candidate_of is None else \
            ("race", f"race-{int(candidate_of):04d}")
        # a W&B sweep's runs are its low-fidelity trials: a full-size candidate is not one
        sweep_id = (os.environ.get(SWEEP_ENV) or None) if candidate_of is None else None
        self.run = self._init(job_type=job_type, name=name, config=config, notes=notes,
                              sweep_id=sweep_id)
        if self.run is None:
            return
        trial.set_user_attr("wandb_run_id", self.run.id)
        if self.run.sweep_id:
            trial.set_user_attr("wandb_sweep_id", self.run.sweep_id)
        if self.mode == "online":
            trial.set_user_attr("wandb_url", self.run.url)

    def on_epoch_end(self, trial: optuna.Trial, epoch: int, value: float,
                     metrics: dict[str, float]) -> None:
        if self.run is not None:
            self.run.log({self.plan.config["study"]["metric"]: value, **metrics}, step=epoch)

    def on_trial_end(self, frozen: optuna.trial.FrozenTrial) -> None:
        if self.run is None:
            return
        run, self.run = self.run, None
        attrs = frozen.user_attrs
        values = list(frozen.intermediate_values.values())
        maximize = self.plan.config["study"]["direction"] == "maximize"
        best = frozen.value if frozen.value is not None else (
            (max(values) if maximize else min(values)) if values else None)
        state = STATES.get(frozen.state.name, frozen.state.name.lower())
        if frozen.constraints.get(OOM_CONSTRAINT, 0.0) > 0:
            state = "out_of_memory"  # infeasible: its value is not a result
        summary: dict[str, Any] = {
            "state": state, "best_value": best,
            # the sweep metric's final value, what W&B's sweep (bayes, charts) reads: the
            # trial's best epoch, as Optuna records it
            self.plan.config["study"]["metric"]: best if state != "out_of_memory" else None,
            "epochs_run": attrs.get("epochs_run"),
            "wall_time_s": attrs.get("wall_time_s"), "device": attrs.get("device"),
            "stop_reason": attrs.get("stop_reason")}
        if state == "pruned":
            epoch = max(frozen.intermediate_values) if frozen.intermediate_values else None
            summary["pruned_at_epoch"] = epoch
            summary["result"] = f"pruned at epoch {epoch}"
        elif state in ("failed", "out_of_memory"):
            summary["fail_reason"] = attrs.get("fail_reason")
            summary["result"] = f"failed: {attrs.get('fail_reason')}"
        else:
            summary["result"] = state
        run.summary.update(summary)
        run.finish(exit_code=1 if state == "failed" else 0)
