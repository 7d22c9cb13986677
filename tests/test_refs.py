"""Sections and questions as people name them (plan/refs.py), and whether a question applies now:
the rules `review`, `edit` and `guide` use, tested without the command line."""

from __future__ import annotations

import pytest

from deflect_cli.errors import DeflectError
from deflect_cli.plan.refs import find_question, find_section, question_name, require_applicable


@pytest.mark.parametrize("ref", ["5", "partnerships", "05-partnerships"])
def test_a_section_is_found_by_number_id_or_file_name(content, ref):
    assert find_section(content, ref).id == "partnerships"


def test_an_unknown_section_says_where_they_are_listed(content):
    with pytest.raises(DeflectError, match=r"^unknown section 'nowhere'; `deflect sections` lists them\.$"):
        find_section(content, "nowhere")


def test_the_plan_level_questions_are_a_section_but_have_no_guide(content):
    assert find_section(content, "profile").id == "profile"
    with pytest.raises(DeflectError, match="unknown section 'profile'"):
        find_section(content, "profile", profile=False)
    assert find_section(content, "5", profile=False).id == "partnerships"


def test_a_question_is_found_by_section_number_or_id(content):
    assert find_question(content, "5.roster").key == "partnerships.roster"
    assert find_question(content, "profile.agency").key == "profile.agency"


def test_a_question_without_its_section_is_refused_with_an_example(content):
    with pytest.raises(DeflectError, match="name a question as SECTION.QUESTION, for example profile.agency"):
        find_question(content, "agency")


def test_an_unknown_question_points_to_its_sections_review(content):
    with pytest.raises(DeflectError, match=r"unknown question '5\.nothing'; `deflect review 5` lists"):
        find_question(content, "5.nothing")
    with pytest.raises(DeflectError, match="unknown section 'nowhere'"):
        find_question(content, "nowhere.lead")


def test_a_question_switched_off_by_an_answer_is_refused_with_its_condition(content, plan):
    question = content.question("data.sharing_details")
    plan.set_answer("data.shares_identifiable", False)
    with pytest.raises(DeflectError) as refused:
        require_applicable(content, plan, question)
    assert str(refused.value).startswith("data.sharing_details does not apply to this plan now: it is asked only when ")
    assert "set aside and comes back if that changes" in str(refused.value)
    plan.set_answer("data.shares_identifiable", True)
    require_applicable(content, plan, question)  # applies now: no error


def test_a_question_is_named_by_its_label_and_section(content):
    assert question_name(content, content.question("data.sharing_details")) == "Identifiable data flows (section 9)"
    # The plan-level questions have no section number: their section's title instead.
    assert question_name(content, content.question("profile.agency")) == "Lead agency (About this plan)"
