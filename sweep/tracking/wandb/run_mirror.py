"""The main process's side of the W&B mirror: the mode settled at the run's start, the study's W&B
sweep (its sweep view), the finalist's run with its weights, and the end-of-run hint."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sweep.config.objectives import ONE_METRIC, is_multi_objective
from sweep.core.record import WANDB_SWEEP_ATTR as SWEEP_ATTR
from sweep.core.record import FinalistRecord, RunSummary
from sweep.core.results import results_history
from sweep.tracking.wandb.mirror import TrialMirror, parameters
from sweep.tracking.wandb.sweep_join import SWEEP_ENV
from sweep.wandb_sweeps.reach import MODE_ENV, resolve_mode, say, within
from sweep.wandb_sweeps.sweep_ids import parse_sweep

if TYPE_CHECKING:
    from sweep.config.plan import Plan


def _artifact_name(study_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", study_name) + "-final"


def study_sweep_id(plan: Plan, create: Callable[[], str]) -> str:
    """The study's W&B sweep: the one recorded on the study, else `create()`'s, recorded (as
    entity/project/id as far as known, so a resumed run and a second machine join that one).

    Under the study's claim lock, so several processes (machines sharing the study) create it
    once. An explicit id (`create` returning a fixed id) replaces a recorded one."""
    from sweep.study.storage import claim_lock, open_storage

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


class WandbMirror(TrialMirror):
    """The mirror with the main process's hooks (run start, finalist, run end)."""

    # -- main process -------------------------------------------------------------------------
    def on_run_start(self, plan: Plan) -> None:
        if self.agent_run:
            say("a W&B agent's run: online (W&B's sweep controller sees only online runs), "
                "with no offline fallback")
            return
        self.mode, why = resolve_mode(str(self.settings["mode"]))
        os.environ[MODE_ENV] = self.mode  # the workers, started after this, inherit it
        where = f"{self.settings.get('entity') or '(default entity)'}/{self.settings['project']}"
        if self.mode == "disabled":
            say(f"not mirroring ({why or 'tracking.wandb.mode=disabled'})")
            return
        if self.mode == "online":
            say(f"mirroring online to {where}, group {plan.study_name}")
        else:
            reason = f" ({why})" if why else ""
            say(f"offline{reason}: runs in {self.runs_dir}; upload later with: "
                 f"{self.sync_hint()}")
        os.environ.pop(SWEEP_ENV, None)
        if os.environ.get("WANDB_SWEEP_ID"):
            return  # a W&B agent's run: it is in the agent's sweep already
        try:
            sweep_id = self.study_sweep(plan)
        except Exception as err:  # noqa: BLE001 - the view is a nicety; the sweep goes on
            say(f"no W&B sweep view ({type(err).__name__}: {str(err)[:200]}); trial runs are "
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
        if wanted == "auto" and is_multi_objective(plan.config):
            say(f"{ONE_METRIC}: trial runs are mirrored to W&B project "
                f"{self.settings['project']} without one")
            return None

        entity, project = self.settings.get("entity"), self.settings["project"]

        def create() -> str:
            import wandb

            from sweep.wandb_sweeps.export import sweep_config

            config = sweep_config(plan.config, plan.overrides, plan.study_name)
            created = str(within(float(self.settings["init_timeout"]), lambda: wandb.sweep(
                config, entity=entity, project=project)))
            return str(parse_sweep(created).known(entity, project))

        named = lambda: str(parse_sweep(str(wanted)).known(entity, project))  # noqa: E731
        sweep_id = study_sweep_id(plan, create if wanted == "auto" else named)
        path = parse_sweep(sweep_id)
        say(f"trial runs join W&B sweep {path.id} (its page: W&B project "
             f"{path.project or project}, Sweeps)")
        return sweep_id

    def on_final_end(self, record: FinalistRecord, plan: Plan) -> None:
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

        history = results_history(run_dir)
        for step, row in history:
            run.log(row, step=step)
        plots = sorted(p for p in run_dir.glob("*") if p.suffix.lower() in (".png", ".jpg"))
        if plots:
            next_step = history[-1][0] + 1 if history else 0
            run.log({f"plots/{p.stem}": wandb.Image(str(p)) for p in plots}, step=next_step)
        run.summary.update({**record.get("metrics", {}), "value": record.get("value"),
                            RunSummary.STATE: RunSummary.COMPLETE,
                            RunSummary.WALL_TIME_S: record.get("wall_time_s"),
                            RunSummary.DEVICE: record.get("device"),
                            "epochs": record.get("epochs"),
                            "train_images": record.get("train_images"),
                            RunSummary.LATENCY_MS: record.get("latency_ms")})
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
            say(f"offline runs in {self.runs_dir}; upload them with: {self.sync_hint()}")
