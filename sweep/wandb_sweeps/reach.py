"""Whether W&B can be reached, and the mode a sweep mirrors in: settled once in the main process
and handed to the workers in their environment (MODE_ENV)."""

from __future__ import annotations

import netrc
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

MODES = ("auto", "online", "offline", "disabled")
# The mode the main process settled on, inherited by its workers (they start after it is set).
MODE_ENV = "SWEEP_WANDB_MODE"
PROBE_SECONDS = 3.0
NO_KEY = "no API key (set WANDB_API_KEY or run `wandb login`)"


def say(message: str) -> None:
    """One line of the mirror's own, on the console (and in a worker's log)."""
    print(f"W&B: {message}", flush=True)


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
    wandb_mode = os.environ.get("WANDB_MODE", "").strip().lower()
    if mode == "auto" and wandb_mode in ("disabled", "offline", "dryrun"):
        return ("offline" if wandb_mode == "dryrun" else wandb_mode), f"WANDB_MODE={wandb_mode}"
    why = unreachable(require_key=mode == "auto")
    return ("online", None) if why is None else ("offline", why)


def unreachable(require_key: bool = True) -> str | None:
    """Why W&B cannot be asked now (no API key, when one is required; no answer), or None."""
    url = base_url()
    if require_key and not key_configured(url):
        return NO_KEY
    if not answers(url):
        return f"{url} did not answer within {PROBE_SECONDS:.0f} s"
    return None
