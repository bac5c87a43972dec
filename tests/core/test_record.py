"""A trial's record is named once: no module writes an attribute name or a stop reason as a
bare string (a typo there would go unnoticed until a study reads back nothing)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sweep.core.record import Attr, Stop

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "sweep"
NAMES = {v for k, v in vars(Attr).items() if k.isupper()}
REASONS = {v for k, v in vars(Stop).items() if k.isupper()}
# user_attrs.get("x"), user_attrs["x"], set_user_attr("x", ...), attrs["x"] = ...
BARE = re.compile(r"(?:user_attrs(?:\.get\(|\[)|set_user_attr\(|attrs(?:\.get\(|\[))"
                  r"""["']([a-z_]+)["']""")
# a stop reason written where one is recorded or compared
REASON = re.compile(r"""(?:STOP_REASON|stop_reason)\W{1,6}["']([^"']+)["']""")


def test_attribute_names_and_stop_reasons_are_defined_once() -> None:
    assert len(NAMES) == len([k for k in vars(Attr) if k.isupper()])  # no two share a name
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "record.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            found += [f"{path.relative_to(PACKAGE)}:{number}: {name}"
                      for name in BARE.findall(line) if name in NAMES]
            found += [f"{path.relative_to(PACKAGE)}:{number}: {reason}"
                      for reason in REASON.findall(line) if reason in REASONS]
    assert not found, "use sweep.core.record's Attr / Stop instead:\n" + "\n".join(found)


def test_the_typed_records_name_every_key_a_saved_summary_holds() -> None:
    """summary.json as the main command wrote it (tests/fixtures/summary/main.json): it and its
    budget, race, repeats and finalist hold no key their typed shapes do not declare, and none that
    every record carries is missing."""
    from sweep.core.record import (
        BudgetRecord,
        FinalistRecord,
        RaceCandidate,
        RaceRecord,
        RaceRepeat,
        SummaryRecord,
    )

    saved = json.loads((ROOT / "tests" / "fixtures" / "summary" / "main.json").read_text())
    race = saved["race"]
    for shape, record in [(SummaryRecord, saved), (BudgetRecord, saved["budget"]),
                          (FinalistRecord, saved["finalist"]),
                          (RaceRecord, race), *((RaceCandidate, c) for c in race["candidates"]),
                          *((RaceRepeat, r) for r in race["repeats"])]:
        declared = set(shape.__annotations__)
        assert set(record) <= declared, (shape.__name__, set(record) - declared)
        assert shape.__required_keys__ <= set(record), (shape.__name__,
                                                         shape.__required_keys__ - set(record))
