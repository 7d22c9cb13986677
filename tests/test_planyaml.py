"""The fast plan reader (planyaml) may make reading a plan faster, never different: whatever it
returns equals yamlio.parse of the same text, and it gives up (None) on anything it is unsure of.
Checked on thousands of generated plans full of YAML-significant and hostile text."""

from __future__ import annotations

import random

import pytest

from deflect_cli import yamlio
from deflect_cli.plan import fastyaml as planyaml
from deflect_cli.plan.model import Plan
from deflect_cli.plan.store import load_plan, save_plan

from conftest import FIXTURES

PIECES = ["a", "Riverton PD", " ", "  ", "\n", "\n\n", "\t", "'", "''", '"', "\\", ": ", " #", "#", "- ", "-", "?",
          ":", "{", "}", "[", "]", ",", "&x", "*x", "!tag", "%", "@", "`", "|", ">", "yes", "no", "on", "null",
          "~", "true", "12", "012", "0x1F", "1_000", "1.5", ".inf", "1e3", "2027-03-01", "2027-03-01 10:00:00",
          "é", "日本", "😀", "\x1b[31m", "\x07", "\u2028", "\x85", "\xa0", "\ufeff", "<<", "=", "---", "...",
          "x" * 60, "word " * 25, "\r\n", "\r", "\x00", "\ud7ff"]


def text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 8)))


def scalar(rng: random.Random):
    kind = rng.random()
    if kind < 0.7:
        return text(rng)
    if kind < 0.8:
        return rng.choice([0, 1, -7, 184500, 10 ** 17, -(10 ** 17), 10 ** 30])
    if kind < 0.9:
        return rng.choice([True, False, None])
    return rng.choice([1.5, 0.0, -0.0, -2.25, 3750.7, 2169.63, 1e20, 1.5e-7, 1e300, 0.1 + 0.2, float("inf"),
                       12345678901234567890.5])


def answer(rng: random.Random):
    kind = rng.random()
    if kind < 0.6:
        return scalar(rng)
    if kind < 0.8:
        return [scalar(rng) for _ in range(rng.randint(0, 4))]
    return [{rng.choice(["name", "type", "mou", "n"]): scalar(rng) for _ in range(rng.randint(1, 3))}
            for _ in range(rng.randint(0, 3))]


def plan_text(rng: random.Random, tmp_path) -> str:
    plan = Plan(path=tmp_path / "p.yaml", content_title=text(rng), content_version=text(rng), position="s.q0")
    for i in range(rng.randint(0, 6)):
        plan.set_answer(f"s{i % 3}.q{i}", answer(rng))
    plan.skipped = [f"s.k{i}" for i in range(rng.randint(0, 2))]
    if rng.random() < 0.2:
        plan.orphaned = [{"question": "s.old", "answer": answer(rng), "reason": text(rng)}]
    plan.updated = "2027-03-01T10:00:00+00:00"
    return plan.to_yaml()


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _agree(source: str) -> bool:
    """True when the fast reader read it (and agreed with yamlio); False when it gave up."""
    fast = planyaml.read(source)
    if fast is None:
        return False
    try:
        slow = _plain(yamlio.parse(source, max_bytes=len(source) + 1))
    except yamlio.YAMLProblem as problem:
        pytest.fail(f"the fast reader accepted what yamlio refuses ({problem.message}): {source!r}")
    assert fast == slow and repr(fast) == repr(slow), source  # repr: 1 vs 1.0 vs True differ
    return True


@pytest.mark.parametrize("seed", range(6))
def test_generated_plans_read_the_same_as_with_pyyaml(seed, tmp_path):
    rng = random.Random(seed)
    read = sum(_agree(plan_text(rng, tmp_path)) for _ in range(400))
    assert read > 40  # and the fast path is really used, not always given up on


def test_everyday_plans_take_the_fast_path(tmp_path):
    plan = Plan(path=tmp_path / "p.yaml", content_title="Deflection Planning Workbook", content_version="2026.11")
    plan.set_answer("profile.agency", "Riverton Police Department")
    plan.set_answer("profile.population", 184500)
    plan.set_answer("introduction.local_problem", "Lane County recorded 61 overdose deaths in 2025.\n\n"
                    "Officers meet the same people again and again: 212 people, 40% of calls. " * 3)
    plan.set_answer("program_types.models", ["qrt", "self_referral"])
    plan.set_answer("partnerships.roster", [{"name": "Clinic 😀", "type": "treatment", "mou": "signed"}])
    plan.set_answer("launch.start_date", "2027-03-01")
    plan.skip("launch.budget")
    source = plan.to_yaml()
    assert _agree(source)


@pytest.mark.parametrize("source", [
    "a: 1\na: 2\n",                  # duplicate key: yamlio says which line
    "a: &x 1\nb: *x\n",              # anchors
    "a: !!str 1\n",                  # tags
    "a: [1, 2]\n",                   # flow collections (hand-written plans): yamlio reads them
    "a: |\n  text\n",                # block scalars
    "a: 1\n  b: 2\n",                # bad indentation
    "a: 'open\n",                    # unclosed quote
    "a: b: c\n",
    "a:\n",
    "a: 2027-03-01\n",               # dates: yamlio decides
    "a: 1_000.5\n", "a: .5\n", "a: +1.5\n", "a: yes\n", "a: 0o17\n", "a: 1_000\n", "a: 12345678901234567890\n",
    "a: x\x07\n", "a: x\r\nb: y\n", "\ufeffa: 1\n",
])
def test_anything_unusual_is_left_to_yamlio(source):
    assert planyaml.read(source) is None


def test_the_fixture_plans_load_the_same_either_way(monkeypatch):
    expected = load_plan(FIXTURES / "export_plan.yaml")
    monkeypatch.setattr(planyaml, "read", lambda text: None)
    assert load_plan(FIXTURES / "export_plan.yaml") == expected
    monkeypatch.undo()
    for name in ("export_plan.yaml", "export_hostile.yaml"):
        _agree((FIXTURES / name).read_text(encoding="utf-8"))


def test_a_saved_plan_is_read_without_pyyaml(tmp_path, monkeypatch):
    plan = Plan(path=tmp_path / "p.yaml")
    plan.set_answer("profile.agency", "It's: a 'quoted' # answer\nover two lines")
    save_plan(plan)

    def no_pyyaml(*_args, **_kwargs):
        raise AssertionError("yamlio.parse was used")

    monkeypatch.setattr(yamlio, "parse", no_pyyaml)
    assert load_plan(plan.path).answer("profile", "agency") == "It's: a 'quoted' # answer\nover two lines"


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_a_plan_answering_every_bundled_question_takes_the_fast_path(tmp_path, content, seed):
    """The plan `bench/run.py` times `status` and `export` on (every question of the bundled workbook)."""
    import importlib.util
    from pathlib import Path

    bench = Path(__file__).resolve().parent.parent / "bench" / "run.py"
    if not bench.exists():
        pytest.skip("bench/run.py is not in this checkout")
    spec = importlib.util.spec_from_file_location("deflect_bench_run", bench)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.answer_everything(content, tmp_path / "plan.yaml", seed=seed)
    assert _agree((tmp_path / "plan.yaml").read_text(encoding="utf-8"))
