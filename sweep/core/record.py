"""The records stages hand each other: the names sweep writes on a trial and on a study, and the
typed shapes of the budget, the race and the finalist, defined once.

Every stage reads and writes a trial's user attributes (what optuna-dashboard lists) through
these names, and every trial ends with one of the stop reasons below. The strings are what
studies already hold: changing one would orphan the records of every study written before.
"""

from __future__ import annotations

from typing import Any, TypedDict


class Attr:
    """A trial's user attributes."""

    RUN_DIR = "run_dir"            # the trial's Ultralytics run folder
    DEVICE = "device"              # where it trained (cuda:N or cpu)
    EPOCHS_RUN = "epochs_run"      # epochs that reported a value
    WALL_TIME_S = "wall_time_s"    # the whole trial, data subset and training included
    TRAIN_S = "train_s"            # Ultralytics' train() alone
    EPOCH_S = "epoch_s"            # seconds an epoch, so far (after the first: the setup's)
    SUBSET_SEED = "subset_seed"    # the seeded random train subset
    SUBSET_SIZE = "subset_size"
    VAL_SIZE = "val_size"
    STOP_REASON = "stop_reason"    # one of Stop
    FAIL_REASON = "fail_reason"    # the error or the cause, in words
    BASELINE = "baseline"          # Ultralytics' defaults (study.baseline)
    RETRY_OF = "retry_of"          # the trial this one retries after its worker died
    NOT_TRAINED = "not_trained"    # closed untrained: known not to fit in memory
    ASKED = "asked"                # the batch and image size it asked for
    RUN_ID = "run_id"              # the sweep invocation that ran it
    WORKER = "worker"              # the worker's label (cuda:0, cpu#0, wandb-agent)
    HOST = "host"                  # who runs it: host, pid and the process's start time
    PID = "pid"
    PID_START = "pid_start"
    CANDIDATE_OF = "candidate_of"  # a race candidate: the search trial it retrains
    LOW_FIDELITY = "low_fidelity"  # a race candidate: that trial's value
    REPEAT_OF = "repeat_of"        # a race's repeat: the race trial it trains again
    TRAINING_SEED = "training_seed"  # a repeat's own Ultralytics seed (else train.seed)
    WANDB_RUN_ID = "wandb_run_id"
    WANDB_URL = "wandb_url"
    WANDB_SWEEP_ID = "wandb_sweep_id"
    LATENCY_MS = "latency_ms"      # the trained model's inference time (ms per image, median)
    LATENCY = "latency"            # how it was measured: spread, repeats, target, format


class Stop:
    """Why a trial ended (`Attr.STOP_REASON`)."""

    COMPLETED = "completed"
    EARLY_STOPPED = "early_stopped"    # Ultralytics' early stop (trial.patience)
    PRUNED = "pruned"
    FAILED = "failed"
    OUT_OF_MEMORY = "out_of_memory"
    WORKER_DIED = "worker_died"
    INTERRUPTED = "interrupted"        # Ctrl-C
    STOPPED_BY_WANDB = "stopped by W&B (early_terminate)"
    STOPPED_ON_WANDB_PAGE = "stopped from its W&B run page"   # "Stop run": the user's word


class SearchStop:
    """Why the search stopped starting trials (summary.json `stopped_by`; None there: it was
    interrupted before any of these)."""

    N_TRIALS = "n_trials"
    MAX_FAILURES = "max_failures"   # workers.max_failures trials failed in this run
    TIMEOUT = "timeout"             # study.timeout
    BUDGET = "budget"               # another trial would eat into what the finale needs
    WORKER_CRASH = "worker_crash"   # a worker process died and could not be replaced


class RunSummary:
    """A trial run's W&B summary, as sweep.tracking.wandb.trial_summary writes it and
    sweep.wandb_sweeps.importing reads it back: its keys, and the states W&B's tables show."""

    STATE = "state"
    BEST_VALUE = "best_value"
    EPOCHS_RUN = "epochs_run"
    WALL_TIME_S = "wall_time_s"
    DEVICE = "device"
    STOP_REASON = "stop_reason"
    LATENCY_MS = "latency_ms"
    FAIL_REASON = "fail_reason"
    PRUNED_AT_EPOCH = "pruned_at_epoch"
    RESULT = "result"
    # the states (STATE's values)
    COMPLETE = "complete"
    PRUNED = "pruned"
    FAILED = "failed"
    OUT_OF_MEMORY = "out_of_memory"   # infeasible: its value is not a result


# The constraint an infeasible (out-of-memory) trial carries > 0 (Optuna's constraints).
OOM_CONSTRAINT = "out_of_memory"
# With study.max_latency_ms: the trial's latency above it, in ms (> 0: infeasible).
LATENCY_CONSTRAINT = "latency_over_ms"
# study.max_latency_ms, recorded on a study that has the constraint (a record: RECORD_PREFIX)
MAX_LATENCY_RECORD = "max_latency_ms"
# sweep's bookkeeping on a study (the finalist's record and claim) is kept in its system attrs
# under this prefix: optuna-dashboard lists user attrs as the user's data, not system attrs.
RECORD_PREFIX = "sweep:"
# The study's W&B sweep (a system attr, without the prefix: studies already hold it so).
WANDB_SWEEP_ATTR = "wandb_sweep_id"


# An infeasible trial's latency in a multi-objective study (it has none: it never trained):
# ten seconds per image, slower than any YOLO model anywhere, yet finite for the samplers.
WORST_LATENCY_MS = 10_000.0


def worst_value(direction: str) -> float:
    """The value an infeasible trial is told with: every metric sweep reports is in [0, 1]."""
    return 0.0 if direction == "maximize" else 1.0


class _BudgetAsked(TypedDict):
    seconds: float          # budget= in seconds
    asked: str              # as typed (`3h`, `90m`)
    capped: bool            # study.n_trials set on the command line: it caps the trials too
    started: float          # the command's start, epoch seconds: the budget counts from it
    devices: int            # workers at a time (the race's trainings run one per device)
    train_images: int       # the data's, for a full-size epoch's cost
    val_images: int


class Budget(_BudgetAsked, total=False):
    """`budget=` as the plan carries it to sweep.study.budget_plan (sweep.pipeline.prepare
    makes it), and what the run learns on the way."""

    planned: dict[str, Any]   # the plan as first measured (sweep.run.budget_watch)
    search_started: float     # the search's start, epoch seconds (a stage's start is measured)


class FinalistRecord(TypedDict, total=False):
    """The finalist as the study and summary.json keep it: a plain retrain's
    (sweep.finalist.retrain) or a race's winner's (sweep.finalist.race_result); the review's
    artifacts and the W&B mirror add their keys."""

    key: str                        # the parameters and final.* it was trained with (a race's)
    source_trial: int | None        # the search trial it retrains (None: final.params)
    params: dict[str, Any]
    run_dir: str
    weights: str
    device: str | None
    train_images: int | None
    epochs: int
    wall_time_s: float
    metrics: dict[str, float]
    value: float | None             # study.metric of its metrics
    race: str                       # a race's winner: the race study
    latency_ms: float               # with latency.measure: as a trial keeps them
    latency: dict[str, Any] | None
    artifacts: dict[str, str]       # sweep.review.keep: each file's artifact id
    wandb_run_id: str
    wandb_url: str


class RaceCandidate(TypedDict, total=False):
    """One raced candidate (a search trial, or the defaults), in summary.json's race."""

    trial: int                      # the search trial it retrains
    race_trial: int
    state: str
    baseline: bool
    low_fidelity: float | None      # the search trial's value (a pruned one's best reported)
    full_size: float | None
    epochs_run: int | None
    train_s: float | None
    stop_reason: str | None
    latency_ms: float | None
    params: dict[str, Any]
    low_fidelity_rank: float
    full_size_rank: float


class RaceRepeat(TypedDict):
    """A leader's repeat (sweep.finalist.confirm): the candidate trained once more."""

    trial: int
    race_trial: int
    repeat_of: int                  # the race trial it trains again
    state: str
    seed: int | None                # its own training seed
    full_size: float | None
    epochs_run: int | None
    train_s: float | None


class _RaceRanked(TypedDict):
    study: str
    candidates: list[RaceCandidate]
    rank_correlation: float | None  # Spearman of the two rankings; None when undefined


class RaceRecord(_RaceRanked, total=False):
    """summary.json's race (sweep.finalist.race_result.race_summary); races recorded before
    the leader's repeat have neither `repeats` nor `decision`."""

    repeats: list[RaceRepeat]
    decision: dict[str, Any] | None  # sweep.finalist.confirm's verdict


class BudgetRecord(TypedDict):
    """summary.json's `budget` (sweep.pipeline.budget_record writes it, sweep.review.lines
    .budget_line reads it back)."""

    asked: str | None
    asked_s: float | None
    planned: dict[str, Any] | None   # the plan as first measured (sweep.run.budget_watch)
    finale: dict[str, Any] | None    # the finale chosen: race, trainings, epochs, seconds
    shrunk: list[str]                # what gave way, in words
    spent: dict[str, float]          # start_s, search_s, finale_s, total_s
    used: float | None               # spent of the budget
    costs: dict[str, Any] | None     # what a training cost here (sweep.study.budget_plan)
    search_time: dict[str, Any]      # where the search's time went, inside and outside training


class SummaryRecord(TypedDict, total=False):
    """summary.json (sweep.review.summary builds it; sweep.pipeline.run adds the budget): what
    the terminal's last block, report.md and the note read back."""

    study_name: str
    outcome: str | None             # the result at full size, said first wherever it is read
    storage: str                    # the storage URL, password redacted
    counts: dict[str, int]
    stop_reasons: dict[str, int]
    stopped_early: dict[str, Any] | None
    stopped_by: str | None          # a SearchStop, or None
    best_trial: dict[str, Any] | None
    baseline: dict[str, Any] | None
    gain_over_baseline: float | None
    finalist: FinalistRecord | None
    race: RaceRecord | None
    gain_over_defaults_at_full_size: float | None
    pareto: dict[str, Any] | None
    best_yaml: str | None
    rerun_command: str | None
    memory: dict[str, Any] | None
    latency: dict[str, Any] | None
    artifacts: str | None
    warnings: list[str]
    budget: BudgetRecord
