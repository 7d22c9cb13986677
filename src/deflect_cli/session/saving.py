"""Saving as the session goes, and saying so: an answer is saved the moment it is given (with what
it changed: answers set aside or back, questions brought up, later answers that no longer fit, a
plan check it makes fire), and on leaving, the text typed but not submitted is kept.

Shared by the walk and by review and edit, so an answer changed either way is told the same.
"""

from __future__ import annotations

from deflect_cli.content.answers import display, is_empty, parse_text
from deflect_cli.content.model import Question
from deflect_cli.grammar import plural
from deflect_cli.plan import flow
from deflect_cli.session.askers import _text_validator
from deflect_cli.session.prompter import SKIP
from deflect_cli.session.state import Session


def record(session: Session, question: Question, result, walking: bool = False):
    """Store an answer (or a skip), save, say so, and report what the change did to conditions.

    Returns the next question in the walk when `walking`, else the questions that this change
    newly brought into play and that still need an answer.
    """
    plan, ui = session.plan, session.ui
    before = session.evaluate()
    if result is SKIP:
        plan.skip(question.key)
    else:
        plan.set_answer(question.key, result)
    after = session.evaluate()
    following = flow.step(after, question, 1)
    if walking:
        plan.position = following.key if following else None
    session.save()
    if result is SKIP:
        ui.note("Skipped for now; it stays on the Still to decide list.")
    else:
        ui.saved(display(session.content.wording(question, plan.answers), result))
    new_open = _changes(session, before, after, announce_new=not walking)
    new_open += [q for q in _newly_stale(session, question, before, after) if q not in new_open]
    if result is not SKIP:
        _warn_checks(session, question, after)
    return following if walking else new_open


def _newly_stale(session: Session, question: Question, before, after) -> list:
    """Later answers this change contradicts (a first model no longer among the chosen ones):
    said now, asked again on the way through, and listed by `status` until they agree again."""
    was = {q.key for q, _ in flow.stale_answers(session.content, before)}
    stale = list({q.key: q for q, _ in flow.stale_answers(session.content, after)
                  if q.key not in was and q.key != question.key}.values())  # a table once, however many rows
    if stale:
        names = ", ".join(q.label for q in stale)
        session.ui.note(f"{plural(len(stale), 'later answer')} no longer fit{'s' if len(stale) == 1 else ''} "
                        f"this change ({names}) and will be asked again.")
    return stale


def _warn_checks(session: Session, question: Question, evaluation) -> None:
    """A plan check this answer makes fire, said now in one line rather than only in `status`."""
    plan = session.plan
    for check in flow.checks_involving(session.content, evaluation, question.key, plan.answers, plan.skipped):
        session.ui.warn(f"Worth a second look: {_first_sentence(check.message)} "
                        "(listed under Things to double-check)")


def _changes(session: Session, before, after, announce_new: bool) -> list:
    answers = session.plan.answers
    hidden = [q for q in before.applicable if not after.applies(q)
              and not is_empty(flow.answer_of(answers, q))]
    appeared = [q for q in after.applicable if not before.applies(q)]
    restored = [q for q in appeared if not is_empty(flow.answer_of(answers, q))]
    new_open = [q for q in appeared if flow.status(q, answers, session.plan.skipped) == flow.OPEN]
    if hidden:
        names = ", ".join(q.label for q in hidden)
        session.ui.note(f"{plural(len(hidden), 'answer')} no longer apply after this change ({names}). "
                        "They are set aside, and come back if you change this answer back.")
    if restored:
        names = ", ".join(q.label for q in restored)
        session.ui.note(f"{plural(len(restored), 'earlier answer')} apply again and are back ({names}).")
    if new_open and announce_new:
        session.ui.note(f"This change brings up {plural(len(new_open), 'new question')}.")
    return new_open


def say_saved(session: Session) -> None:
    """Before leaving (quit, the end of the workbook, the end of `deflect review` or `edit`): keep
    what was typed at the prompt left, save, and say exactly what was saved and kept. The caller
    then says what to do next."""
    kept = _keep_pending(session)
    session.save()
    session.ui.blank()
    session.ui.say(kept)


def _keep_pending(session: Session) -> str:
    """The text typed at the prompt the person left becomes the answer when it is a valid one, else
    stays a draft. Returns the line saying exactly what was kept."""
    plan = session.plan
    question, session.pending = session.pending, None
    typed = plan.drafts.get(question.key) if question is not None else None
    where = f"in {plan.path}"
    if typed is None:
        drafts = len(plan.drafts)
        later = (f"; {plural(drafts, 'unfinished answer')} {'is' if drafts == 1 else 'are'} kept as "
                 f"{'a draft' if drafts == 1 else 'drafts'} for when you return") if drafts else ""
        return f"Saved {plural(plan.answer_count(), 'answer')} {where}{later}."
    name = _shorten(question.prompt, 50)
    value, error = parse_text(question, typed)
    if _text_validator(question, False, "")(typed) is True and not is_empty(value):
        plan.set_answer(question.key, value)
        return (f"Saved {plural(plan.answer_count(), 'answer')} {where}, including the one you "
                f"were typing to '{name}' ({display(question, value)}).")
    return (f"Saved {plural(plan.answer_count(), 'answer')} {where}; your unfinished answer to "
            f"'{name}' is kept as a draft and shown when you return.")


def _shorten(text: str, width: int) -> str:
    """Cut at a word boundary: "How many hours after an overdose does the QRT..."."""
    if len(text) <= width:
        return text
    cut = text[: width - 3].rsplit(" ", 1)[0] or text[: width - 3]
    return cut.rstrip(" ,;:") + "..."


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]
