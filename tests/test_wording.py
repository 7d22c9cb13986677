"""Words people see (issue 12.16): conditions said in words, never in their syntax; one meaning of
"set aside"; references that match what is on screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from deflect_cli.content import conditions
from deflect_cli.content.wording import describe
from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import save_plan

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("source, words", [
    ("'hub' in program_types.models", "'Program models chosen' includes 'HUB or situation table'"),
    ("'qrt' in program_types.models or 'post_overdose' in program_types.models",
     "'Program models chosen' includes 'Quick Response Team' or 'Post-overdose follow-up (Naloxone Plus)'"),
    ("data.shares_identifiable == true", "'Sharing identifiable client information' is Yes"),
    ("support.leadership_endorsement and support.leadership_endorsement != 'written'",
     "'Leadership endorsement' is not 'Yes, in writing (memo, general order or signed letter)'"),
    ("treatment.wait_days is not none and treatment.wait_days > 0", "'Typical wait for treatment' is more than 0"),
    ("launch.launch_approach in ['pilot', 'phased_area']",
     "'Launch approach' is one of 'Soft launch or pilot first' or 'Phased by area (one town or district first)'"),
    ("partnerships.roster | selectattr('type', 'equalto', 'treatment') | list | length > 0",
     "your answer to 'Partners and stakeholders' calls for it"),
])
def test_conditions_are_said_in_words(content, source, words):
    assert describe(content, source) == words



@pytest.mark.parametrize("source, words", [
    ("not treatment.wait_days", "'Typical wait for treatment' has no answer"),
    ("treatment.wait_days is none", "'Typical wait for treatment' has no answer"),
    ("treatment.wait_days is not none", "'Typical wait for treatment' is answered"),
    ("not ('hub' in program_types.models or 'qrt' in program_types.models)",
     "'Program models chosen' includes none of 'HUB or situation table' or 'Quick Response Team'"),
    ("not (treatment.wait_days == 1 or data.shares_identifiable)",
     "it is not the case that either 'Typical wait for treatment' is 1 or "
     "'Sharing identifiable client information' is answered"),
    ("'hub' not in program_types.models", "'Program models chosen' does not include 'HUB or situation table'"),
    ("launch.pilot_review < launch.start_date", "'Pilot review date' is less than 'Target launch date'"),
    ("treatment.wait_days > 1 < 3", "your answer to 'Typical wait for treatment' calls for it"),
])
def test_each_shape_of_condition_has_its_words(content, source, words):
    assert describe(content, source) == words

def test_every_bundled_condition_reads_without_its_syntax(content):
    for question in content.questions():
        if question.when:
            text = describe(content, question.when)
            for name in conditions.referenced_names(question.when):
                assert name not in text, (question.key, text)
            assert not any(mark in text for mark in ("==", "!=", "|", "[", "]")), (question.key, text)


def test_edit_of_a_question_that_does_not_apply_says_why_in_words(cli, content, tmp_path):
    plan = new_plan(tmp_path / "deflection-plan.yaml", content)
    plan.set_answer("program_types.models", ["qrt"])
    save_plan(plan)
    code, _, err = cli("edit", "2.walk_in_sites", "--plain")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "it is asked only when 'Program models chosen' includes 'Self-referral (walk-in at a station)'" in err
    assert "program_types.models" not in err and "'self_referral' in" not in err


def test_review_text_names_the_parentheses_the_ids_are_in(cli, content, tmp_path):
    save_plan(new_plan(tmp_path / "deflection-plan.yaml", content))
    code, out, _ = cli("review", "2")
    assert "(2.models)" in out
    assert "the name in parentheses" in out and "brackets" not in out


def test_no_help_points_at_a_table_that_is_not_there(content):
    for question in content.questions():
        assert "table above" not in question.help, question.key


def test_set_aside_has_one_meaning():
    """"kept aside" and "set aside for now" (for skipped questions) are gone; the README defines the term."""
    files = [ROOT / "README.md", *sorted((ROOT / "src" / "deflect_cli").glob("*.py")),
             *sorted(p for p in (ROOT / "templates").rglob("*") if p.is_file())]  # outlines/ too
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "kept aside" not in text.lower(), path
        assert "set aside for now" not in text, path
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count('the one meaning of "set aside"') == 1
