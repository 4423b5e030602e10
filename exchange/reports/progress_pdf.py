"""The progress report as a PDF file (fpdf2): the same sections and figures as the print-ready page
(`templates/reports/progress.html`), for people who must attach a file to a report, in the language of the
page (or of `speaking()`).

Written in embedded Unicode fonts shipped in `fonts/` (Noto Sans, Noto Sans Arabic, Noto Sans CJK SC; see
its README): the language's own face first, the others as fallbacks, so that a French report naming a place
in Chinese still prints it. Text is shaped by HarfBuzz (uharfbuzz): Arabic joins and runs right to left, and
an Arabic report lays its tables and running lines out from the right.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from exchange.core.i18n import direction, format_day, format_money, format_number, page_language
from exchange.reference.models import PILLARS
from exchange.reports.money import stage_labels
from exchange.reports.progress import ProgressReport

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONTS = {  # family → (regular, bold) file
    "sans": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "arabic": ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    "cjk": ("NotoSansSC-Regular.otf", "NotoSansSC-Regular.otf"),  # no bold face shipped
}
FAMILY_OF_LANGUAGE = {"ar": "arabic", "zh": "cjk"}
HEADINGS = FontFace(emphasis="BOLD", fill_color=(233, 236, 239))


def days(value: float | None) -> str:
    return "—" if value is None else _("%(days)s working days", days=format_number(value, 1))


class _ReportPDF(FPDF):
    """A4 portrait, a running title at the top and "page n of m" at the foot of every page; the language's
    font with the others as fallbacks; right to left for a right-to-left language."""

    def __init__(self, running_title: str, footer: str, language: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        for family, (regular, bold) in FONTS.items():
            self.add_font(family, "", FONT_DIR / regular)
            self.add_font(family, "B", FONT_DIR / bold)
        self.family = FAMILY_OF_LANGUAGE.get(language, "sans")
        self.set_fallback_fonts([f for f in FONTS if f != self.family], exact_match=False)
        self.rtl = direction(language) == "rtl"
        self.set_text_shaping(True, direction="rtl" if self.rtl else "ltr")
        self.set_lang(language)
        self.running_title = running_title
        self.footer_text = footer
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)

    @property
    def start(self) -> str:
        """Where a line of text begins: the left, or the right in a right-to-left language."""
        return "R" if self.rtl else "L"

    @property
    def end(self) -> str:
        return "L" if self.rtl else "R"

    def header(self):
        if self.page_no() > 1:
            self.set_font(self.family, "", 8)
            self.set_text_color(108, 117, 125)
            self.cell(0, 5, self.running_title, align=self.start, new_x="LMARGIN", new_y="NEXT")
            self.ln(2)
            self.set_text_color(0)

    def footer(self):
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.set_text_color(108, 117, 125)
        self.cell(0, 5, self.footer_text, align=self.start)
        self.set_text_color(0)

    def number_pages(self) -> None:
        """"Page n of m" at the foot of every page, written once the number of pages is known (fpdf2's `{nb}`
        alias keeps the width of its four characters, a gap in a shaped line)."""
        total = self.pages_count
        self.set_auto_page_break(False)
        for number in range(1, total + 1):
            self.page = number
            self.set_xy(self.l_margin, self.h - 12)
            self.set_font(self.family, "", 8)
            self.set_text_color(108, 117, 125)
            self.cell(0, 5, _("Page %(page)s of %(pages)s", page=format_number(number), pages=format_number(total)),
                      align=self.end)
        self.set_text_color(0)


def _line(pdf: _ReportPDF, height: float, text: str) -> None:
    pdf.multi_cell(0, height, text, align=pdf.start, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: _ReportPDF, text: str) -> None:
    pdf.ln(4)
    pdf.set_font(pdf.family, "B", 12)
    _line(pdf, 7, text)
    pdf.set_font(pdf.family, "", 9)


def _table(pdf: _ReportPDF, headings: tuple[str, ...], rows: list[tuple], widths: tuple[int, ...],
           text_columns: int = 1) -> None:
    """A table whose first `text_columns` columns are text and the others figures; widths in mm. Right to
    left, the first column is on the right and text is aligned to the right."""
    text, figure = ("RIGHT", "LEFT") if pdf.rtl else ("LEFT", "RIGHT")
    align = (text,) * text_columns + (figure,) * (len(headings) - text_columns)
    order = (lambda values: tuple(reversed(values))) if pdf.rtl else tuple
    with pdf.table(col_widths=order(widths), width=min(pdf.epw, sum(widths)), align=text,
                   text_align=order(align), headings_style=HEADINGS, line_height=5.5, padding=1) as table:
        for values in (headings, *rows):
            row = table.row()
            for value in order(values):
                row.cell(format_number(value) if isinstance(value, int) else str(value))


def _money_and_results(pdf: _ReportPDF, report: ProgressReport) -> None:
    """The money (entries dated in the period) by pillar, region, provider and year, and the results of the
    deliveries completed in the period by pillar: the page's sections."""
    labels = stage_labels()
    money = report.money
    _heading(pdf, _("Money (entries dated in the period)"))
    if not money.entries:
        _line(pdf, 5, _("No money was recorded with a date in this period."))
    else:
        headings = tuple(labels.values())
        _table(pdf, ("", *headings), [(_("Total"), *(format_money(money.total[s]) for s in labels))], (55, 38, 38, 38))
        for title, first, rows in (
                (_("US dollars by pillar (a match whose request is on themes of two pillars counts in both)"),
                 _("Pillar"), [(f"{r.key} — {r.name}", r.usd) for r in money.by_pillar]),
                (_("US dollars by UN M49 region of the requesting State"), _("Region"),
                 [(r.name, r.usd) for r in money.by_region]),
                (_("US dollars by provider"), _("Provider"), [(r.name, r.usd) for r in money.by_provider]),
                (_("US dollars by year of the entry"), _("Year"), [(r.key, r.usd) for r in money.by_year])):
            pdf.ln(2)
            pdf.set_font(pdf.family, "B", 9)
            _line(pdf, 5, title)
            pdf.set_font(pdf.family, "", 9)
            _table(pdf, (first, *headings), [(name, *(format_money(usd[s]) for s in labels)) for name, usd in rows],
                   (55, 38, 38, 38))
    _heading(pdf, _("Results of the deliveries completed in the period, by pillar"))
    if not report.results:
        _line(pdf, 5, _("No results were recorded on deliveries completed in this period."))
    for group in report.results:
        pdf.ln(2)
        pdf.set_font(pdf.family, "B", 9)
        _line(pdf, 5, f"{group.pillar} — {group.name}")
        pdf.set_font(pdf.family, "", 9)
        _table(pdf, (_("Indicator"), _("Match"), _("Baseline"), _("Target"), _("Actual"), _("Unit")),
               [(r.indicator, f"{r.match.reference} ({r.match.request.country_iso3})", format_number(r.baseline),
                 format_number(r.target), format_number(r.actual), r.unit) for r in group.results],
               (62, 30, 20, 20, 20, 22), text_columns=2)


def progress_pdf(report: ProgressReport, generated_on: date) -> bytes:
    """The report as PDF bytes, in the current language."""
    language = page_language()
    period = _("%(start)s to %(end)s", start=format_day(report.start), end=format_day(report.end))
    product = _("The Exchange")
    pdf = _ReportPDF(_("Progress report, %(period)s", period=period),
                     _("%(product)s · generated %(day)s", product=product, day=format_day(generated_on)), language)
    pdf.set_title(_("%(product)s: progress report, %(period)s", product=product, period=period))
    pdf.set_author(product)
    pdf.set_creator(product)
    pdf.add_page()

    pdf.set_font(pdf.family, "B", 16)
    _line(pdf, 9, _("Progress report"))
    pdf.set_font(pdf.family, "", 11)
    _line(pdf, 6, _("Period: %(period)s (both ends included)", period=period))

    _heading(pdf, _("In the period"))
    _table(pdf, ("", _("Number")), [
        (_("Requests received (submitted)"), report.received),
        (_("Requests triaged (accepted, rejected or asked for information)"), report.triaged),
        (_("Matches accepted by a provider"), report.matched),
        (_("Deliveries completed"), report.delivered),
    ], (120, 25))

    _heading(pdf, _("Requests received by pillar"))
    _table(pdf, (_("Pillar"), _("Received")),
           [(f"{p} — {PILLARS[p]}", n) for p, n in report.received_by_pillar.items()], (145, 25))

    _heading(pdf, _("By region (UN M49 region of the requesting State)"))
    _table(pdf, (_("Region"), _("Received"), _("Matched"), _("Delivered")),
           [(r["name"], r["received"], r["matched"], r["delivered"]) for r in report.by_region]
           or [(_("Nothing in this period."), "", "", "")], (85, 25, 25, 25))

    _heading(pdf, _("Times (requests received in the period, working days from submission)"))
    _table(pdf, (_("From submission to…"), _("Requests"), _("Median"), _("90th percentile")),
           [(str(d.label), d.count, days(d.median), days(d.p90))
            for d in (report.to_first_proposal, report.to_delivery)], (70, 25, 30, 35))

    _heading(pdf, _("Gaps: open needs no active offer can meet"))
    gaps = report.gaps
    if gaps:
        _table(pdf, (_("Country"), _("Theme"), _("Open requests")),
               [(f"{row.name} ({row.country})", theme.name, cell.open) for row, theme, cell in gaps], (60, 85, 29),
               text_columns=2)
    else:
        _line(pdf, 5, _("No gaps: every open need of the period has at least one offer that can deliver it."))

    _money_and_results(pdf, report)

    pdf.ln(4)
    pdf.set_font(pdf.family, "", 8)
    _line(pdf, 4, _("Definitions: received = submitted in the period; triaged = accepted, rejected or asked for "
                    "information in the period; matched = match accepted by its provider in the period; delivered "
                    "= delivery completed in the period. Times count the requests received in the period. A "
                    "request on themes of two pillars counts in both."))
    pdf.number_pages()
    return bytes(pdf.output())
