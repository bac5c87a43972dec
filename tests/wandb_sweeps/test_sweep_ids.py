"""Sweep ids in every form users paste them."""

from __future__ import annotations

import pytest

from sweep.wandb_sweeps.sweep_ids import SweepPath, parse_sweep


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
])
def test_every_form_names_the_same_sweep(text: str, expected: SweepPath) -> None:
    assert parse_sweep(text) == expected


@pytest.mark.parametrize("text", ["", "a/b/c/d", "me/proj/", "https://wandb.ai/me/proj",
                                  "https://wandb.ai/me/proj/runs/abc", "abc 123", "abc-123"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a W&B sweep id"):
        parse_sweep(text)


def test_the_path_as_recorded_and_handed_to_wandb_agent() -> None:
    assert str(parse_sweep("https://wandb.ai/me/proj/sweeps/abc12345")) == "me/proj/abc12345"
    assert str(parse_sweep("abc12345").known("team", "proj")) == "team/proj/abc12345"
    assert str(parse_sweep("abc12345").known(None, "proj")) == "proj/abc12345"
    assert str(parse_sweep("other/x1").known("team", "proj")) == "other/x1"
