"""The table editor: a table question's rows shown as a table; add, edit, remove and move rows,
each row asked column by column with every cell checked. Every change is saved at once.

Cells typed in a row the person leaves are never dropped: they are offered to keep or discard, or
kept as the table's draft when the session ends.
"""

from __future__ import annotations

from deflect_cli.content import qtypes
from deflect_cli.content.answers import cell, display, is_empty, parse_text, validate
from deflect_cli.plan import flow
from deflect_cli.session.askers import AskerBase, _as_text, _sentence, _text_validator, _without_controls
from deflect_cli.session.prompter import BACK, MENU, QUIT, SKIP, Interrupted, Option, is_signal

_BLANK = "<blank>"


class TableEditor(AskerBase):
    def _ask_table(self, question, current):
        """Rows shown as a table; add, edit, remove and move rows. Every change is saved at once."""
        rows = [dict(r) for r in current] if isinstance(current, list) else []
        unfinished = self.plan.drafts.get(question.key)
        if unfinished:
            self.ui.note(f"When you left, you were filling in a row: {unfinished}. Add it with Add a row, "
                         "or change the row it belongs to.")
        while True:
            action = self._choose_action(question, rows)
            if is_signal(action):
                return action
            if action == "done":
                if self._complete(question, rows):
                    return rows or SKIP
                continue
            if action in ("remove", "move"):
                outcome = self._remove_or_move(question, rows, action)
            else:
                outcome = self._fill_row(question, rows, action[1] if isinstance(action, tuple) else None)
            if outcome is QUIT:
                return QUIT

    def _choose_action(self, question, rows):
        """The rows so far, then: add a row, edit one, remove, move, or done."""
        self._show_rows(question, rows)
        options = [Option("Add a row", "add")]
        options += [Option(f"Edit row {i}: {_row_title(question, r)}", ("edit", i - 1))
                    for i, r in enumerate(rows, 1)]
        if rows:
            options.append(Option("Remove a row", "remove"))
        if len(rows) > 1:
            options.append(Option("Move a row", "move"))
        options.append(Option("Done with this table", "done"))
        self.ui.set_help(f"{question.help}\nAdd one row at a time; choose Done when the table is complete.")
        return self.ui.select(self._prompt(question), options, default="add")

    def _complete(self, question, rows) -> bool:
        """Done is refused, with a warning saying why, while a row is required or lacks a required cell."""
        if question.required and not rows:
            self.ui.warn(f"Add at least one row, or {self.ui.skip_hint}.")
            return False
        gap = _missing_cell(question, rows)
        if gap:  # a row filled in from earlier answers may still lack a required cell
            self.ui.warn(gap)
            return False
        return True

    def _remove_or_move(self, question, rows, action):
        """Returns QUIT to leave, else None (the rows changed and saved, or left as they were)."""
        ask = "Remove which row?" if action == "remove" else "Move which row?"
        index = self._choose_row(question, rows, ask)
        if index is None or index is QUIT:
            return index
        if action == "remove":
            removed = rows.pop(index)
            self.ui.say(f"Removed row {index + 1}: {_row_title(question, removed)}")
        else:
            target = self.ui.select("Move it to which place?", [
                Option(f"Place {i}" + (" (where it is now)" if i - 1 == index else ""), i - 1)
                for i in range(1, len(rows) + 1)
            ], default=index, menu=True)
            if target is QUIT:
                return QUIT
            if is_signal(target) or target == index:
                return None
            rows.insert(target, rows.pop(index))
            self.ui.say(f"Moved to place {target + 1}.")
        self._store_rows(question, rows)
        return None

    def _fill_row(self, question, rows, index):
        """A new row (index None) or row `index` changed, then saved. Returns QUIT to leave, else None."""
        row = self._ask_row(question, rows[index] if index is not None else {})
        if row is QUIT:
            return QUIT
        if isinstance(row, dict):
            if index is None:
                rows.append(row)
            else:
                rows[index] = row
            self._store_rows(question, rows)
            self.ui.saved(f"row {len(rows) if index is None else index + 1}: {_row_title(question, row)}")
        return None

    def _store_rows(self, question, rows) -> None:
        self.plan.drafts.pop(question.key, None)
        if rows:
            self.plan.set_answer(question.key, [dict(r) for r in rows])
        else:
            section = self.plan.answers.get(question.section_id) or {}
            section.pop(question.id, None)
            if question.section_id in self.plan.answers and not section:
                del self.plan.answers[question.section_id]
        self.session.save()

    def _choose_row(self, question, rows, message):
        index = self.ui.select(message, [
            Option(f"Row {i}: {_row_title(question, r)}", i - 1) for i, r in enumerate(rows, 1)
        ] + [Option("Cancel", "cancel")], menu=True)
        if index is QUIT:
            return QUIT
        return index if isinstance(index, int) and not isinstance(index, bool) else None

    def _ask_row(self, question, row: dict):
        """Ask each column in turn, validating each cell. Back goes to the previous column (or leaves
        the row unchanged from the first); skip asks what to do with cells already changed; quit keeps
        them as a draft."""
        self.ui.note(f"{'Back' if self.ui.plain else 'Ctrl-B'} goes to the previous column; "
                     f"{'skip' if self.ui.plain else 'Ctrl-N'} leaves the row (you choose what happens to "
                     "anything typed in it).")
        out = dict(row)
        i = 0
        columns = [c for c in question.columns if not c.computed]  # worked out, never typed
        while i < len(columns):
            column = columns[i]
            try:
                value = self._ask_cell(column, out.get(column.id))
            except Interrupted:
                self._keep_row(question, row, self._with_typed(column, out))
                raise
            if value is BACK:
                if i == 0:
                    self.ui.note("The row is unchanged.")
                    return None
                i -= 1
                continue
            if value in (QUIT, SKIP, MENU):
                out = self._with_typed(column, out)
                decision = QUIT if value is QUIT else self._typed_cells(question, row, out)
                if decision is QUIT:
                    self._keep_row(question, row, out)
                    return QUIT
                if decision == "save":
                    break
                if decision == "discard":
                    self.ui.note("The row is unchanged.")
                    return None
                continue  # "go_on": the same cell again
            if is_empty(value):
                out.pop(column.id, None)
            else:
                out[column.id] = value
            i += 1
        return self._checked_row(question, out)

    def _checked_row(self, question, out: dict):
        """The row as stored (None, with a warning, when it does not pass), its worked-out cells said."""
        clean, error = validate(question, [out])
        if error:
            self.ui.warn(_sentence(error))
            return None
        worked_out = [f"{c.label}: {display(c, cell(c, clean[0]))}" for c in question.columns
                      if c.computed and not is_empty(cell(c, clean[0]))]
        if worked_out:
            self.ui.note("Worked out: " + "; ".join(worked_out))
        return clean[0]

    def _typed_cells(self, question, row: dict, out: dict):
        """Ctrl-N or the menu in the middle of a row whose cells were changed: ask what to do with
        them rather than drop them. Returns "go_on", "save", "discard" or QUIT."""
        if out == row:
            return "discard"
        clean, error = validate(question, [out])
        options = [Option("Go on filling in this row", "go_on")]
        if not error:
            options.append(Option("Save the row with what is filled in", "save"))
        options.append(Option("Discard what was typed in this row", "discard"))
        self.ui.say(f"You have filled in part of this row: {_cells_text(question, out)}.")
        choice = self.ui.select("What should happen to it?", options, default="go_on", menu=True)
        if choice is QUIT:
            return QUIT
        return choice if choice in ("save", "discard") else "go_on"

    def _with_typed(self, column, out: dict) -> dict:
        """The cells with the text typed in this one but not submitted when the row was left (Ctrl-N,
        the menu, Ctrl-Q, Ctrl-C): it counts as typed in the row, to keep or discard, never dropped."""
        typed = "" if qtypes.get(column.type).input in ("choice", "yes_no") else _without_controls(self.ui.draft or "")
        current = out.get(column.id)
        if not typed.strip() or typed == ("" if is_empty(current) else _as_text(current)):
            return out
        value, error = parse_text(column, typed)
        return {**out, column.id: typed if error or is_empty(value) else value}

    def _keep_row(self, question, row: dict, out: dict) -> None:
        """Leaving in the middle of a row: its cells are kept as a draft, shown with the table."""
        if out != row and any(not is_empty(v) for v in out.values()):
            self.plan.drafts[question.key] = _cells_text(question, out)

    def _ask_cell(self, column, current):
        label = column.label + (f" ({column.unit})" if column.unit else "")
        label += self.ui.required_mark if column.required else ""
        if column.help:
            self.ui.note(column.help)
        offered = flow.column_choices(column, self.session.evaluate().context) if column.choices_from else []
        if offered:  # only what an earlier table holds, so the plan cannot contradict itself
            options = [Option(v, v) for v in offered]
            if not column.required:
                options.append(Option("(leave blank)", _BLANK))
            value = self.ui.select(label, options, default=current if current in offered else None)
            return None if value == _BLANK else value
        if column.choices_from:
            source = self.content.question(column.choices_from.rsplit(".", 1)[0])
            self.ui.note(f"Nothing is listed yet under '{source.label if source else column.choices_from}' "
                         "to choose from; type it for now.")
        kind = qtypes.get(column.type).input
        if kind in ("choice", "yes_no"):
            options = ([Option(c.label, c.value) for c in column.choices] if kind == "choice"
                       else [Option("Yes", True), Option("No", False)])
            if not column.required:
                options.append(Option("(leave blank)", _BLANK))
            default = current if not is_empty(current) else None
            value = self.ui.select(label, options, default=default)
            return None if value == _BLANK else value
        default = "" if is_empty(current) else _as_text(current)
        while True:
            text = self.ui.text(
                label, default=default,
                multiline=kind == "long_text",
                instruction=self._long_text_hint() if kind == "long_text" else self._hint(column),
                validate=_text_validator(column, column.required,
                                         "type skip to leave the row" if self.ui.plain
                                         else "press Ctrl-N to leave the row"),
            )
            if is_signal(text):
                return text
            value = parse_text(column, text)[0]
            if is_empty(value):
                return value
            confirmed = self._confirmed(column, value, text)
            if is_signal(confirmed) or confirmed:
                return confirmed if is_signal(confirmed) else value
            default = text

    def _show_rows(self, question, rows) -> None:
        if not rows:
            self.ui.note("No rows yet.")
            return
        self.ui.table(["#", *(c.label for c in question.columns)],
                      [(str(i), *(display(c, cell(c, row)) for c in question.columns))
                       for i, row in enumerate(rows, 1)])


def _missing_cell(question, rows) -> str:
    """"Row 2 needs Objective: edit it or remove it.", or "" when every row has its required cells."""
    for number, row in enumerate(rows, 1):
        for column in question.columns:
            if column.required and is_empty(row.get(column.id)):
                return f"Row {number} needs {column.label}: edit it or remove it."
    return ""


def _cells_text(question, row: dict) -> str:
    """`Organization: Clinic; Kind: Treatment`: a row's filled-in cells in words."""
    return "; ".join(f"{c.label}: {display(c, row[c.id])}" for c in question.columns
                     if not is_empty(row.get(c.id)))


def _row_title(question, row: dict) -> str:
    """The row's name in menus: its first required cell (the activity, not the objective code it
    points to), else its first column."""
    first = next((c for c in question.columns if c.required), question.columns[0])
    return display(first, row.get(first.id)) or display(question.columns[0], row.get(question.columns[0].id)) \
        or "(blank)"


