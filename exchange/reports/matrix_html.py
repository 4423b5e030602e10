"""The needs matrix's cells as HTML, written in Python: a country row's cells are the page's bulk (193 States ×
the themes × three numbers, each a link to the requests behind it), and writing them through the template's
loops was most of the page's time. The links come from one address per row, theme and column
(`cell_links`, built once); the numbers are formatted once per value; every piece of text is escaped."""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from markupsafe import Markup, escape

from exchange.core.i18n import format_number
from exchange.reports.matrix import COLUMNS, STATUSES_OF_COLUMN, Matrix, Row


def cell_links(matrix: Matrix, base: str) -> dict:
    """The parts of the cells' links: the requests list's address `base` with a row's country (`rows`), a
    theme's query part (`themes`), a column's statuses (`columns`); a number links to rows + themes + columns,
    the address requests_list_link (reports/views.py) builds for the same filters."""
    return {"rows": {row.country: f"{base}?{urlencode({'country': row.country})}" for row in matrix.rows},
            "themes": {t.code: "&" + urlencode({"theme": t.code}) for t in matrix.themes},
            "columns": {column: "&" + urlencode({"status": list(statuses)}, doseq=True)
                        for column, statuses in STATUSES_OF_COLUMN.items()}}


class CellWriter:
    """Writes a row's <td> cells. `words`: the columns' names ("open", …) and "gap", "none" in the page's
    language."""

    def __init__(self, matrix: Matrix, base: str, words: dict[str, str]):
        self.themes = matrix.themes
        links = cell_links(matrix, base)
        self.rows = {iso3: str(escape(link)) for iso3, link in links["rows"].items()}
        self.theme_parts = {code: str(escape(part)) for code, part in links["themes"].items()}
        self.column_parts = {column: str(escape(part)) for column, part in links["columns"].items()}
        self.hidden = {column: f'<span class="visually-hidden"> {escape(words[column])}</span>' for column in COLUMNS}
        self.gap = f' <span class="mx-gap-flag">{escape(words["gap"])}</span>'
        self.empty = f'<td class="mx-cell mx-empty"><span class="visually-hidden">{escape(words["none"])}</span></td>'
        self.number = lru_cache(maxsize=None)(lambda n: str(escape(format_number(n))))

    def row(self, row: Row) -> Markup:
        out = []
        row_link = self.rows[row.country]
        sep = '<span class="mx-sep" aria-hidden="true">/</span>'
        for theme in self.themes:
            cell = row.cells[theme.code]
            if not cell.total:
                out.append(self.empty)
                continue
            link = row_link + self.theme_parts[theme.code]
            parts = []
            for column in COLUMNS:
                n = getattr(cell, column)
                if n:
                    parts.append(f'<a class="mx-count mx-{column}" href="{link}{self.column_parts[column]}">'
                                 f'{self.number(n)}{self.hidden[column]}</a>')
                else:
                    parts.append(f'<span class="mx-count mx-{column}">{self.number(0)}{self.hidden[column]}</span>')
            if cell.gap:
                head = f'<td class="mx-cell mx-gap" data-gap="{escape(row.country)}-{escape(theme.code)}">'
                out.append(head + sep.join(parts) + self.gap + "</td>")
            else:
                out.append('<td class="mx-cell">' + sep.join(parts) + "</td>")
        return Markup("".join(out))
