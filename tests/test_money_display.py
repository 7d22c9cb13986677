"""Money is written one way wherever it is shown: an answer to a `unit: USD` question (in the wizard, a
table's money cell, an export) and a worked-out budget figure both read `$1,234` for whole dollars and
`$1,234.50` with cents, never `$1,234.5`."""

from __future__ import annotations

import pytest

from deflect_cli.content.answers import display
from deflect_cli.content.model import Column
from deflect_cli.plan import budget

USD = Column(id="cost", label="Cost", type="number", unit="USD")


@pytest.mark.parametrize("value, shown", [
    (1234.5, "$1,234.50"), (1234, "$1,234"), (1234.0, "$1,234"), (0.5, "$0.50"), (1234.567, "$1,234.57"),
    (2_000_000, "$2,000,000"), (0.004, "$0"),
])
def test_an_answer_in_dollars_and_a_budget_figure_read_alike(value, shown):
    assert display(USD, value) == shown
    assert budget.money(value) == shown

