"""Sections and questions as a person names them on the command line (`5`, `partnerships`,
`5.roster`, `profile.agency`), and whether a question applies to a plan now.

Pure: the content (and the plan's answers) in, the section or question out, or a DeflectError that
says where to look them up.
"""

from __future__ import annotations

from deflect_cli.errors import DeflectError


def find_section(content, ref: str, *, profile: bool = True):
    """A section by number, id or file slug; `profile=False` refuses the plan-level questions,
    which have no guide text of their own."""
    found = content.section(ref)
    if found is None or (not profile and found.id == "profile"):
        raise DeflectError(f"unknown section {ref!r}; `deflect sections` lists them.")
    return found


def find_question(content, ref: str):
    """SECTION.QUESTION, where SECTION may also be the section's number (`5.roster`)."""
    section_ref, _, question_id = ref.partition(".")
    if not question_id:
        raise DeflectError(f"{ref!r}: name a question as SECTION.QUESTION, for example profile.agency; "
                           "`deflect review` lists them.")
    section = find_section(content, section_ref)
    question = content.question(f"{section.id}.{question_id}")
    if question is None:
        raise DeflectError(f"unknown question {ref!r}; `deflect review {section.number or section.id}` "
                           "lists that section's questions.")
    return question


def require_applicable(content, plan, question) -> None:
    """Refuse to ask a question the plan's answers have switched off, saying what would switch it on."""
    from deflect_cli.plan import flow

    if not flow.evaluate(content, plan.answers, plan.core).applies(question):
        from deflect_cli.content.wording import describe

        raise DeflectError(f"{question.key} does not apply to this plan now: it is asked only when "
                           f"{describe(content, question.when)}. Any answer it had is set aside and comes "
                           "back if that changes.")


def question_name(content, question) -> str:
    """"Vision (section 1)": how a person finds a question, rather than its id."""
    section = next(s for s in content.all_sections if s.id == question.section_id)
    return f"{question.label} ({f'section {section.number}' if section.number else section.title})"
