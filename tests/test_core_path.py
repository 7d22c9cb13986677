"""The core path (issue 10.3): questions marked `core: true` make a complete short plan; a plan's
`depth` (core or full) decides which questions apply; `deflect start` offers it, `--core`/`--full`
choose it, `deflect resume --full` deepens a core plan; status and every export say the depth."""

from __future__ import annotations

import sys

import pytest

from deflect_cli.content.model import things_to_fill
from deflect_cli.errors import PlanError
from deflect_cli.export.model import build_document
from deflect_cli.plan import flow
from deflect_cli.plan.intake import apply_answers, read_answers_file
from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import load_plan, save_plan

from conftest import ENTER, FIXTURES, clean_env

WB2 = FIXTURES / "riverton-wb2.yaml"
MINI = str(FIXTURES / "mini")


def core_plan(tmp_path, content, depth="core"):
    plan = new_plan(tmp_path / "plan.yaml", content, depth)
    problems = apply_answers(content, plan, read_answers_file(WB2), str(WB2))
    assert problems == []
    return plan


def test_about_forty_core_questions_and_one_in_every_section(content):
    core = [q for q in content.questions() if q.core]
    assert 35 <= len(core) <= 48, len(core)
    assert all(any(q.core for q in s.questions) for s in content.all_sections), "a core plan has no empty chapter"
    keys = {q.key for q in core}
    # The short plan's spine: profile, a need with its source, the model, partners, the referral
    # pathway, the results chain, the launch date and people served, and the budget.
    assert {"profile.agency", "profile.jurisdiction", "community_needs.overdose_deaths",
            "community_needs.data_sources", "program_types.models", "partnerships.roster",
            "policies.pathway", "introduction.goals", "introduction.objectives", "data.measures",
            "launch.activities", "launch.start_date", "launch.served_year_one", "funding.sources", "funding.years",
            "funding.budget"} <= keys
    # A core question never waits on a question the core path does not ask.
    for question in core:
        for name in flow.conditions.referenced_names(question.when or "true"):
            if "." in name:
                assert content.question(name).core, (question.key, name)


def test_answering_every_core_question_leaves_nothing_to_decide(tmp_path, content):
    plan = core_plan(tmp_path, content)
    evaluation = flow.evaluate(content, plan.answers, plan.core)
    assert {q.key for q in evaluation.applicable} == {q.key for q in content.questions() if q.core}
    assert flow.still_to_decide(evaluation, plan.answers, plan.skipped) == []
    assert flow.missing_required(evaluation, plan.answers) == []
    assert flow.firing_checks(content, evaluation) == []  # no check about a question the core path skips
    doc = build_document(content, plan)
    assert doc["still_to_decide"] == [] and all(chapter["answers"] for chapter in doc["chapters"])
    assert doc["depth"] == "Core plan (the core questions only)"


def test_at_depth_full_the_same_answers_leave_the_rest_to_decide(tmp_path, content):
    plan = core_plan(tmp_path, content)
    for question in content.questions():
        if not question.core:
            plan.remove_answer(question.key)
    plan.depth = "full"
    evaluation = flow.evaluate(content, plan.answers, plan.core)
    still = flow.still_to_decide(evaluation, plan.answers, plan.skipped)
    assert still and not any(q.core for q in still)


def test_non_core_answers_lie_dormant_in_a_core_plan(tmp_path, content):
    plan = core_plan(tmp_path, content)
    evaluation = flow.evaluate(content, plan.answers, True)
    assert not evaluation.applies(content.question("launch.launch_approach"))
    assert plan.answer("launch", "launch_approach")  # kept, never dropped
    assert "launch_approach" not in flow.visible_answers(evaluation, plan.answers).get("launch", {})


def test_depth_round_trips_and_older_plans_are_full(tmp_path, content):
    plan = new_plan(tmp_path / "plan.yaml", content, "core")
    save_plan(plan)
    text = plan.path.read_text()
    assert "deflect_plan: 3" in text and "depth: core" in text
    assert load_plan(plan.path).depth == "core"
    plan.path.write_text(text.replace("deflect_plan: 3", "deflect_plan: 2").replace("depth: core\n", ""))
    assert load_plan(plan.path).depth == "full"
    plan.path.write_text(text.replace("depth: core", "depth: shallow"))
    with pytest.raises(PlanError, match="'depth' must be core or full"):
        load_plan(plan.path)


def test_start_core_status_and_export_say_the_depth_and_resume_full_deepens(cli, tmp_path, content):
    code, out, err = cli("start", "--core", "--no-input", "--answers", str(WB2))
    assert code == 0, err
    assert "depth: core" in (tmp_path / "deflection-plan.yaml").read_text()
    code, out, _ = cli("status")
    assert "Depth: Core plan (the core questions only); `deflect resume --full` adds the rest" in out
    core = sum(1 for q in content.questions() if q.core)
    assert f"Overall: {core} of {core} questions that apply are answered (100%)" in out
    code, _, err = cli("export", "--format", "md")
    assert code == 0, err
    md = (tmp_path / "deflection-plan.md").read_text()
    assert "| Plan depth | Core plan (the core questions only) |" in md
    code, out, err = cli("resume", "--full", "--no-input")
    assert "This plan now follows the full workbook; every core answer is kept." in out
    assert "depth: full" in (tmp_path / "deflection-plan.yaml").read_text()
    code, out, _ = cli("status")
    assert "Depth: Full workbook" in out


def test_start_flags(cli, tmp_path):
    code, _, err = cli("start", "--core", "--full", "--no-input")
    assert code == 1 and "choose one of --core and --full" in err
    code, _, err = cli("start", "--no-input")  # no terminal, no flag: the full workbook, as before
    assert code == 0 and "depth: full" in (tmp_path / "deflection-plan.yaml").read_text()
    code, _, err = cli("start", "--core", "--no-input", "--plan", "mini.yaml", "--content", MINI)
    assert code == 1 and "marks no question `core: true`" in err and not (tmp_path / "mini.yaml").exists()


def test_sections_shows_what_a_person_fills_and_the_core_path(cli, content):
    code, out, _ = cli("sections")
    assert code == 0
    questions = list(content.questions())
    assert f"{things_to_fill(questions)} things to fill (prompts and required table cells)" in out
    assert f"{sum(1 for q in questions if q.core)} on the core path" in out
    assert f" {things_to_fill(content.section('launch').questions)} to fill " in out.splitlines()[12]  # launch


def test_things_to_fill_counts_prompts_and_required_cells(content):
    goals = content.question("introduction.objectives")
    assert things_to_fill([goals]) == 1 + 3  # the prompt, code, goal, objective
    assert things_to_fill([content.question("launch.start_date")]) == 1


def test_the_results_chain_sections_stay_within_their_share(content):
    """Issue 10: at most 140 things to fill in all; sections 1, 9 and 12 (this branch's) take at most 40."""
    mine = [q for s in content.sections if s.number in (1, 9, 12) for q in s.questions]
    assert things_to_fill(mine) <= 40, things_to_fill(mine)


def test_the_whole_workbook_asks_at_most_140_things(content):
    """Issue 10: at most 140 things a person fills (prompts plus required table cells) in the whole
    workbook, the profile included, so a plan stays a day's work, not a week's."""
    everything = [q for s in content.all_sections for q in s.questions]
    assert things_to_fill(everything) <= 140, things_to_fill(everything)


pexpect = pytest.importorskip("pexpect")


def spawn(deflect_bin, args, cwd):
    child = pexpect.spawn(deflect_bin, args, cwd=str(cwd), dimensions=(24, 80), encoding="utf-8", timeout=20,
                          env=clean_env(TERM="xterm-256color", COLUMNS="80", LINES="24"))
    child.logfile_read = sys.stdout if "-s" in sys.argv else None
    return child


def test_start_in_a_terminal_offers_the_core_path(deflect_bin, tmp_path):
    child = spawn(deflect_bin, ["start"], tmp_path)
    child.expect("A first plan in about 45 minutes \\(core questions\\)")
    child.expect("The full workbook")
    child.expect("Choose 1 or 2")
    child.send("3" + ENTER)
    child.expect("Type 1 for the core questions or 2 for the full workbook")
    child.send("1" + ENTER)
    child.expect("Press Enter to begin")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    assert "depth: core" in (tmp_path / "deflection-plan.yaml").read_text()


def test_ctrl_c_at_the_depth_question_starts_nothing(deflect_bin, tmp_path):
    child = spawn(deflect_bin, ["start"], tmp_path)
    child.expect("Choose 1 or 2")
    child.sendcontrol("c")
    child.expect("No plan was started.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not (tmp_path / "deflection-plan.yaml").exists()
