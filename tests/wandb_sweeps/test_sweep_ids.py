"""Sweep ids in every form users paste them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from omegaconf import DictConfig

from sweep.wandb_sweeps.sweep_ids import SweepPath, hydra_args, parse_sweep


@pytest.mark.parametrize(("text", "expected"), [
    ("abc12345", SweepPath("abc12345")),
    ("me/proj/abc12345", SweepPath("abc12345", "me", "proj")),
    ("proj/abc12345", SweepPath("abc12345", None, "proj")),
    ("my-team/yolo.v2/sweeps/abc12345", SweepPath("abc12345", "my-team", "yolo.v2")),
    ("https://wandb.ai/me/proj/sweeps/abc12345", SweepPath("abc12345", "me", "proj")),
    ("https://wandb.ai/me/proj/sweeps/abc12345/", SweepPath("abc12345", "me", "proj")),
    ("https://wandb.ai/me/proj/sweeps/abc12345?workspace=user-me",
     SweepPath("abc12345", "me", "proj")),
    ("  me/proj/abc12345\n", SweepPath("abc12345", "me", "proj")),
    # as the browser's address bar shows it: a tab, a query, both
    ("https://wandb.ai/me/proj/sweeps/abc12345?nw=nwuserme", SweepPath("abc12345", "me", "proj")),
    ("https://wandb.ai/me/proj/sweeps/abc12345/overview", SweepPath("abc12345", "me", "proj")),
    ("https://wandb.ai/me/proj/sweeps/abc12345/table?nw=nwuserme&x=1",
     SweepPath("abc12345", "me", "proj")),
    ("https://wandb.ai/me/proj/sweeps/abc12345/workspace/", SweepPath("abc12345", "me", "proj")),
    ("'me/proj/abc12345'", SweepPath("abc12345", "me", "proj")),  # quoted, as Hydra's form
])
def test_every_form_names_the_same_sweep(text: str, expected: SweepPath) -> None:
    assert parse_sweep(text) == expected


@pytest.mark.parametrize("text", ["", "a/b/c/d", "me/proj/", "https://wandb.ai/me/proj",
                                  "https://wandb.ai/me/proj/runs/abc", "abc 123", "abc-123",
                                  "https://wandb.ai/me/proj/sweeps/abc/runs/x1"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a W&B sweep id"):
        parse_sweep(text)


def test_the_path_as_recorded_and_handed_to_wandb_agent() -> None:
    assert str(parse_sweep("https://wandb.ai/me/proj/sweeps/abc12345")) == "me/proj/abc12345"
    assert str(parse_sweep("abc12345").known("team", "proj")) == "team/proj/abc12345"
    assert str(parse_sweep("abc12345").known(None, "proj")) == "proj/abc12345"
    assert str(parse_sweep("other/x1").known("team", "proj")) == "other/x1"


def test_hydra_carries_every_form_of_a_sweep_override(compose_cfg: Callable[..., DictConfig]
                                                      ) -> None:
    """A pasted URL's `?nw=` would end Hydra's parse ("mismatched input '='"): the override
    reaches Hydra as the sweep's path; what names no sweep reaches validation quoted."""
    url = "https://wandb.ai/me/proj/sweeps/abc12345/overview?nw=nwuserme"
    args = ["+experiment=yolo11n", f"tracking.wandb.sweep={url}", "train.seed=3"]
    assert hydra_args(args) == ["+experiment=yolo11n", "tracking.wandb.sweep=me/proj/abc12345",
                                "train.seed=3"]
    assert compose_cfg(*hydra_args(args)).tracking.wandb.sweep == "me/proj/abc12345"
    for kept in ("tracking.wandb.sweep=auto", "tracking.wandb.sweep=null", "data=a=b"):
        assert hydra_args([kept]) == [kept]
    bad = hydra_args(["tracking.wandb.sweep=https://wandb.ai/me/proj?nw=x"])
    assert compose_cfg(*bad).tracking.wandb.sweep == "https://wandb.ai/me/proj?nw=x"
