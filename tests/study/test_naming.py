"""A study's name: the same command finds the same study, another target another one."""

from __future__ import annotations

from sweep.study.naming import study_name
from tests.conftest import Compose


def test_the_synthetic_domain_names_another_study_and_the_default_keeps_its_name(
        compose_cfg: Compose) -> None:
    choices = {"experiment": "yolo11n"}
    default = study_name(compose_cfg("+experiment=yolo11n"), choices)
    assert default == "yolo11n-a370dfc3"  # the README's, as before domains existed
    assert study_name(compose_cfg("+experiment=yolo11n", "shapes.domain=shapes"),
                      choices) == default
    crowd = study_name(compose_cfg("+experiment=yolo11n", "shapes.domain=crowd"), choices)
    signs = study_name(compose_cfg("+experiment=yolo11n", "shapes.domain=signs"), choices)
    assert len({default, crowd, signs}) == 3
