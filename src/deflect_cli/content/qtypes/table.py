"""`table`: rows of records with named `columns`, each column a type of its own; a row keeps its
stable id (`_id`). Computed columns are worked out whenever shown, never stored."""

from __future__ import annotations

from deflect_cli.content.qtypes.base import ROW_ID, TYPES, QuestionType, is_empty
from deflect_cli.grammar import plural


class Table(QuestionType):
    name, title, input = "table", "table", "table"
    column, short, list_value, becomes_text = False, False, True, False
    fields = frozenset({"columns", "prefill"})

    def validate(self, rule, rows):
        if not isinstance(rows, list):
            return rows, "expected a list of rows"
        clean = []
        for number, row in enumerate(rows, 1):
            out, error = self._row(rule, row)
            if error:
                return rows, f"row {number}{error}"
            clean.append(out)
        return clean, None

    @staticmethod
    def _row(rule, row) -> tuple:
        """(the row's stored cells, None) or (None, the rest of a message after "row N")."""
        if not isinstance(row, dict):
            return None, ": expected a mapping of column to value"
        columns = {c.id for c in rule.columns}
        unknown = [k for k in row if k not in columns and k != ROW_ID]
        if unknown:
            return None, f": unknown column {unknown[0]!r}"
        out = {ROW_ID: row[ROW_ID]} if isinstance(row.get(ROW_ID), str) and row[ROW_ID] else {}
        for column in rule.columns:
            if getattr(column, "computed", ""):
                continue  # worked out from the row whenever shown (answers.cell); a stored copy is dropped
            cell = row.get(column.id)
            if is_empty(cell):
                if column.required:
                    return None, f": {column.label} is required"
                continue
            cell, error = TYPES[column.type].validate(column, cell)
            if error:
                return None, f", {column.label}: {error}"
            out[column.id] = cell
        return out, None

    def display(self, rule, value):
        return plural(len(value), "row")


TYPE = Table()
