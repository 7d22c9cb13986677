"""Every lead agency (issue 10 item 2): lead groups, `leads:` and per-lead wording `variants:`.

The content model is tested on a small workbook written here; the bundled content's wording for
every kind of lead is tested in tests/test_lead_terms.py.
"""

from __future__ import annotations

import pytest

from deflect_cli.content.model import load_content
from deflect_cli.errors import ContentError
from deflect_cli.plan import flow

WORKBOOK = """\
title: Lead test
version: "1"
profile:
  questions:
    - id: agency_type
      prompt: What kind of agency leads?
      help: The kind of lead agency.
      type: choice
      other: true
      choices:
        - {value: municipal_police, label: Police}
        - {value: public_health, label: Health department}
        - {value: task_force, label: Coalition}
    - id: co_lead_type
      prompt: Does a second agency lead?
      help: A co-lead.
      type: choice
      choices:
        - {value: none, label: "No"}
        - {value: municipal_police, label: Police}
        - {value: public_health, label: Health department}
lead_groups:
  law_enforcement: [municipal_police]
  health: [public_health]
  coalition: [task_force, other]
"""

SECTION = """\
id: staff
variants:
  - when_lead: [health]
    summary: Who does the work, with the police as partners.
    recommendations: [Brief the referring officers.]
title: Staff
summary: Who does the work.
recommendations: [Brief your officers at roll call.]
guide: Text.
questions:
  - id: officers
    label: Officers
    prompt: How many sworn officers does your agency have?
    help: Count your officers.
    type: number
    unit: sworn officers
    leads: [law_enforcement]
    variants:
      - when_lead: [health, coalition]
        prompt: How many officers does the police co-lead have?
        help: Count the co-lead's officers.
        unit: officers
  - id: trained
    prompt: Who will be trained?
    help: Pick the staff to train.
    type: multi_choice
    choices:
      - {value: sworn, label: Sworn officers}
      - {value: dispatch, label: Dispatchers}
    variants:
      - when_lead: [health]
        choices:
          - {value: sworn, label: Outreach staff}
  - id: roles
    prompt: Which roles will the program have?
    help: One row per role.
    type: table
    columns:
      - {id: role, label: Role, type: text, required: true}
      - {id: sworn, label: Sworn?, type: yes_no, help: A sworn officer?}
      - {id: kind, label: Kind, type: choice, choices: [{value: patrol, label: Patrol officer}, {value: coach, label: Coach}]}
    variants:
      - when_lead: [health]
        label: Program roles
        columns:
          - {id: sworn, label: Police officer?}
          - {id: kind, choices: [{value: patrol, label: Police officer}]}
  - id: union
    prompt: Was the union consulted?
    help: Unions shape policy.
    type: yes_no
    when: "staff.officers and staff.officers > 0"
    leads: [law_enforcement]
"""  # noqa: E501 - line numbers in the expected messages below depend on this YAML


@pytest.fixture
def lead_content(tmp_path):
    root = tmp_path / "content"
    (root / "sections").mkdir(parents=True)
    (root / "workbook.yaml").write_text(WORKBOOK)
    (root / "sections" / "01-staff.yaml").write_text(SECTION)
    return root


def _answers(kind=None, co=None, **staff) -> dict:
    profile = {k: v for k, v in (("agency_type", kind), ("co_lead_type", co)) if v is not None}
    return {"profile": profile, "staff": staff}


def test_lead_group_of_each_kind(lead_content):
    content = load_content(lead_content)
    assert content.lead_group(_answers("municipal_police")) == "law_enforcement"
    assert content.lead_group(_answers("public_health")) == "health"
    assert content.lead_group(_answers("County recovery council")) == "coalition"  # typed under Other
    assert content.lead_group(_answers()) == "law_enforcement"  # not yet known: the first group


def test_variant_rewords_for_the_primary_lead_only(lead_content):
    content = load_content(lead_content)
    officers = content.question("staff.officers")
    police = content.wording(officers, _answers("municipal_police"))
    assert police is officers  # police-led: the very same question, untouched
    health = content.wording(officers, _answers("public_health", "municipal_police"))
    assert health.prompt == "How many officers does the police co-lead have?"
    assert health.help == "Count the co-lead's officers."
    assert health.label == "Officers"  # an explicit label is kept unless the variant gives one
    assert (officers.unit, health.unit) == ("sworn officers", "officers")
    assert (health.key, health.type, health.fingerprint) == (officers.key, officers.type, officers.fingerprint)
    assert content.wording(officers, _answers("Regional council")).prompt == health.prompt


def test_variant_rewords_choices_and_columns_but_never_values(lead_content):
    content = load_content(lead_content)
    health = _answers("public_health")
    trained = content.wording(content.question("staff.trained"), health)
    assert [(c.value, c.label) for c in trained.choices] == [("sworn", "Outreach staff"), ("dispatch", "Dispatchers")]
    assert trained.prompt == "Who will be trained?"
    roles = content.wording(content.question("staff.roles"), health)
    assert roles.label == "Program roles"
    assert [(c.id, c.label, c.help) for c in roles.columns] == [
        ("role", "Role", ""), ("sworn", "Police officer?", "A sworn officer?"), ("kind", "Kind", "")]
    assert [(c.value, c.label) for c in roles.columns[2].choices] == [("patrol", "Police officer"), ("coach", "Coach")]
    assert content.question("staff.roles").columns[1].label == "Sworn?"  # the loaded content is untouched


def test_section_variant_rewords_summary_and_recommendations(lead_content):
    content = load_content(lead_content)
    health = content.worded(_answers("public_health")).section("staff")
    assert health.summary == "Who does the work, with the police as partners."
    assert health.recommendations == ("Brief the referring officers.",)
    assert health.guide == content.section("staff").guide and health.title == "Staff"
    police = content.worded(_answers("municipal_police")).section("staff")
    assert police is content.section("staff")
    assert police.recommendations == ("Brief your officers at roll call.",)


def test_worded_view_is_built_once_and_keeps_flow_working(lead_content):
    content = load_content(lead_content)
    answers = _answers("public_health", "municipal_police", officers=4)
    view = content.worded(answers)
    assert view is content.worded(answers) and view is not content
    assert view.worded(answers) is view and view.worded(_answers("municipal_police")) is content
    assert view.question("staff.officers").prompt.startswith("How many officers does the police co-lead")
    evaluation = flow.evaluate(view, answers)
    assert [q.key for q in evaluation.applicable] == [
        "profile.agency_type", "profile.co_lead_type", "staff.officers", "staff.trained", "staff.roles", "staff.union"]
    assert evaluation.applicable[2].prompt == view.question("staff.officers").prompt


@pytest.mark.parametrize("kind, co, asked", [
    (None, None, True),                         # not yet known: today's police workbook
    ("municipal_police", None, True),
    ("public_health", None, False),
    ("public_health", "none", False),
    ("public_health", "municipal_police", True),  # any lead that has officers keeps the question
    ("task_force", "public_health", False),
    ("Regional council", None, False),           # typed under Other: a coalition
])
def test_leads_asks_a_question_when_any_lead_is_in_the_group(lead_content, kind, co, asked):
    content = load_content(lead_content)
    evaluation = flow.evaluate(content, _answers(kind, co, officers=3))
    assert evaluation.applies(content.question("staff.officers")) is asked
    assert evaluation.applies(content.question("staff.union")) is asked  # `leads:` and `when:` both hold


def test_leads_and_when_both_must_hold(lead_content):
    content = load_content(lead_content)
    assert not flow.evaluate(content, _answers("municipal_police", officers=0)).applies(content.question("staff.union"))


BROKEN = [
    ("  - when_lead: [health]\n    summary:", "  - when_lead: [nurses]\n    summary:",
     "content/sections/01-staff.yaml:3: section staff: unknown lead group 'nurses'"),
    ("    recommendations: [Brief the referring officers.]\n", "    guide: New guide.\n",
     "content/sections/01-staff.yaml:5: section staff variant: unknown field 'guide'"),
    ("    leads: [law_enforcement]\n", "    leads: [police]\n",
     "content/sections/01-staff.yaml:11: question staff.officers: unknown lead group 'police' "
     "(expected one of: law_enforcement, health, coalition)"),
    ("      - when_lead: [health, coalition]\n", "      - when_lead: [health, firefighters]\n",
     "content/sections/01-staff.yaml:19: question staff.officers: unknown lead group 'firefighters'"),
    ("          - {value: sworn, label: Outreach staff}\n", "          - {value: sergeant, label: Outreach staff}\n",
     "content/sections/01-staff.yaml:33: question staff.trained variant: no choice 'sergeant' to reword"),
    ("          - {id: sworn, label: Police officer?}\n", "          - {id: badge, label: Police officer?}\n",
     "content/sections/01-staff.yaml:46: question staff.roles variant: no column 'badge' to reword"),
    ("        help: Count the co-lead's officers.\n", "        hint: Count the co-lead's officers.\n",
     "content/sections/01-staff.yaml:21: question staff.officers variant: unknown field 'hint'"),
    ("          - {id: kind, choices: [{value: patrol,", "          - {id: kind, choices: [{value: squad,",
     "content/sections/01-staff.yaml:47: question staff.roles variant column 'kind': no choice 'squad' to reword"),
    ("      - when_lead: [health]\n        choices:",
     "      - when_lead: [health]\n        unit: people\n        choices:",
     "content/sections/01-staff.yaml:32: question staff.trained variant: 'unit' only applies to number"),
    ("      - when_lead: [health]\n        label", "      - when_lead: []\n        label",
     "content/sections/01-staff.yaml:43: question staff.roles variant: 'when_lead' must list at least one"),
]


@pytest.mark.parametrize("old, new, expected", BROKEN)
def test_broken_lead_wording_is_reported_with_file_and_line(lead_content, old, new, expected):
    path = lead_content / "sections" / "01-staff.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError) as caught:
        load_content(lead_content, display_root="content")
    assert any(p.startswith(expected) for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize("old, new, expected", [
    ("  health: [public_health]\n", "  health: [public_health, fire_ems]\n",
     "content/workbook.yaml:24: workbook: lead group 'health' names 'fire_ems', which is not a kind of agency"),
    ("  health: [public_health]\n", "  health: [municipal_police]\n",
     "content/workbook.yaml:24: workbook: 'municipal_police' is in lead groups 'law_enforcement' and 'health'"),
    ("  coalition: [task_force, other]\n", "  coalition: [task_force]\n",
     "content/workbook.yaml:22: workbook: the agency kind 'other' is in no lead group"),
    ("        - {value: public_health, label: Health department}\n        - {value: task",
     "        - {value: fire, label: Fire}\n        - {value: task",
     "content/workbook.yaml:24: workbook: lead group 'health' names 'public_health', which is not a kind of agency"),
])
def test_broken_lead_groups_are_reported(lead_content, old, new, expected):
    path = lead_content / "workbook.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError) as caught:
        load_content(lead_content, display_root="content")
    assert any(p.startswith(expected) for p in caught.value.problems), caught.value.problems


def test_leads_without_lead_groups_is_reported(lead_content):
    path = lead_content / "workbook.yaml"
    path.write_text(path.read_text().split("lead_groups:")[0])
    with pytest.raises(ContentError) as caught:
        load_content(lead_content, display_root="content")
    assert "content/sections/01-staff.yaml:11: question staff.officers: names lead group 'law_enforcement', " \
           "but workbook.yaml declares no lead_groups" in caught.value.problems


def test_bundled_lead_groups_cover_every_kind_of_agency(content):
    kinds = [c.value for c in content.question("profile.agency_type").choices]
    grouped = [k for _, ks in content.lead_groups for k in ks]
    assert sorted(grouped) == sorted(kinds + ["other"])
    assert [g for g, _ in content.lead_groups] == ["law_enforcement", "health", "fire_ems", "coalition"]
    co_kinds = [c.value for c in content.question("profile.co_lead_type").choices]
    assert co_kinds == ["none"] + kinds


# ------------------------------------------------------------------ every screen and document


def test_plain_session_review_status_and_export_use_the_leads_wording(lead_content, tmp_path):
    import subprocess
    import sys

    from conftest import clean_env

    def run(*args, keys=()):
        return subprocess.run([sys.executable, "-m", "deflect_cli", *args, "--content", str(lead_content)],
                              input="".join(k + "\n" for k in keys), capture_output=True, text=True,
                              cwd=tmp_path, timeout=60, env=clean_env(TERM="dumb"))

    session = run("start", "--plain", keys=["2", "2", "1", "4", "1", "quit"])  # health, police co-lead, 4 officers
    transcript = session.stdout + session.stderr
    assert session.returncode == 0, transcript
    assert "How many officers does the police co-lead have?" in transcript
    assert "Count the co-lead's officers." in transcript
    assert "sworn" not in transcript.lower() and "Count your officers" not in transcript
    assert "Outreach staff" in transcript  # the next question's choices, reworded
    assert "Who does the work, with the police as partners." in transcript  # the section's opening words

    edit = run("edit", "staff.officers", "--plain", keys=["5"])  # a question found by name, not by the walk
    assert edit.returncode == 0, edit.stdout + edit.stderr
    assert "How many officers does the police co-lead have?" in edit.stdout and "sworn" not in edit.stdout.lower()
    review = run("review")
    assert "Program roles [Still to decide]" in review.stdout
    assert "Who will be trained?: Outreach staff [Answered]" in review.stdout
    assert "sworn" not in review.stdout.lower()
    status = run("status")
    assert status.returncode == 0 and "Which roles will the program have?" in status.stdout  # where to continue
    export = run("export", "--format", "md", "-o", "plan.md")
    assert export.returncode == 0, export.stderr
    document = (tmp_path / "plan.md").read_text()
    assert "Outreach staff" in document and "sworn" not in document.lower()
    data = run("export", "--format", "json", "-o", "plan.json")
    assert data.returncode == 0
    text = (tmp_path / "plan.json").read_text()
    assert "How many officers does the police co-lead have?" in text and "Outreach staff" in text
    assert "sworn officers does your agency" not in text
