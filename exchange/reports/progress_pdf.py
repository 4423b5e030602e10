"""The progress report as a PDF file (fpdf2): the same sections and figures as the print-ready page
(`templates/reports/progress.html`), for people who must attach a file to a report.

Written in the PDF core font Helvetica, encoded as Windows-1252: it holds every name in the reference data
(countries, regions, themes, pillars). A character outside it is written as its unaccented form, or "?".
"""
from __future__ import annotations

import unicodedata
from datetime import date

from fpdf import FPDF
from fpdf.fonts import FontFace

from exchange.reference.models import PILLARS
from exchange.reports.progress import ProgressReport

ENCODING = "windows-1252"
HEADINGS = FontFace(emphasis="BOLD", fill_color=(233, 236, 239))
DEFINITIONS = ("Definitions: received = submitted in the period; triaged = accepted, rejected or asked for "
               "information in the period; matched = match accepted by its provider in the period; delivered = "
               "delivery completed in the period. Times count the requests received in the period. A request on "
               "themes of two pillars counts in both.")


def writable(value) -> str:
    """`value` as text the core font can write: each character it lacks becomes its unaccented form, or "?"."""
    return "".join(_replacement(char) for char in str(value))


def _replacement(char: str) -> str:
    unaccented = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    for candidate in (char, unaccented):
        try:
            if candidate:
                candidate.encode(ENCODING)
                return candidate
        except UnicodeEncodeError:
            continue
    return "?"


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} days"


class _ReportPDF(FPDF):
    """A4 portrait, a running title at the top and "page n of m" at the foot of every page."""

    def __init__(self, running_title: str, generated_on: date):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.running_title = running_title
        self.generated_on = generated_on
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)

    def header(self):
        if self.page_no() > 1:
            self.set_font("Helvetica", "", 8)
            self.set_text_color(108, 117, 125)
            self.cell(0, 5, writable(self.running_title), new_x="LMARGIN", new_y="NEXT")
            self.ln(2)
            self.set_text_color(0)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(108, 117, 125)
        self.cell(0, 5, f"The Exchange · generated {self.generated_on.isoformat()}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, writable(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)


def _table(pdf: FPDF, headings: tuple[str, ...], rows: list[tuple], widths: tuple[int, ...],
           text_columns: int = 1) -> None:
    """A table whose first `text_columns` columns are text and the others figures (right-aligned); widths in mm."""
    align = ("LEFT",) * text_columns + ("RIGHT",) * (len(headings) - text_columns)
    with pdf.table(col_widths=widths, width=min(pdf.epw, sum(widths)), align="LEFT", text_align=align,
                   headings_style=HEADINGS, line_height=5.5, padding=1) as table:
        for values in (headings, *rows):
            row = table.row()
            for value in values:
                row.cell(writable(value))


def progress_pdf(report: ProgressReport, generated_on: date) -> bytes:
    """The report as PDF bytes."""
    period = f"{report.start.isoformat()} to {report.end.isoformat()}"
    pdf = _ReportPDF(f"Progress report, {period}", generated_on)
    pdf.set_title(f"The Exchange: progress report, {period}")
    pdf.set_author("The Exchange")
    pdf.set_creator("The Exchange")
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, "Progress report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, f"Period: {period} (both ends included)", new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, "In the period")
    _table(pdf, ("", "Number"), [
        ("Requests received (submitted)", report.received),
        ("Requests triaged (accepted, rejected or asked for information)", report.triaged),
        ("Matches accepted by a provider", report.matched),
        ("Deliveries completed", report.delivered),
    ], (120, 25))

    _heading(pdf, "Requests received by pillar")
    _table(pdf, ("Pillar", "Received"),
           [(f"{p} — {PILLARS[p]}", n) for p, n in report.received_by_pillar.items()], (145, 25))

    _heading(pdf, "By region (UN M49 region of the requesting State)")
    _table(pdf, ("Region", "Received", "Matched", "Delivered"),
           [(r["name"], r["received"], r["matched"], r["delivered"]) for r in report.by_region]
           or [("Nothing in this period.", "", "", "")], (85, 25, 25, 25))

    _heading(pdf, "Times (requests received in the period, days from submission)")
    _table(pdf, ("From submission to…", "Requests", "Median", "90th percentile"),
           [(d.label, d.count, days(d.median), days(d.p90)) for d in (report.to_first_proposal, report.to_delivery)],
           (70, 25, 30, 35))

    _heading(pdf, "Gaps: open needs no active offer can meet")
    gaps = report.gaps
    if gaps:
        _table(pdf, ("Country", "Theme", "Open requests"),
               [(f"{row.name} ({row.country})", theme.name, cell.open) for row, theme, cell in gaps], (60, 85, 29),
               text_columns=2)
    else:
        pdf.multi_cell(0, 5, "No gaps: every open need of the period has at least one offer that can deliver it.",
                       new_x="LMARGIN", new_y="NEXT")

    pdf.ln(4)
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(0, 4, DEFINITIONS, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
