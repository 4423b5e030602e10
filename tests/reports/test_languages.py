"""The report, directory and audit pages, the exports and the progress report PDF in the six languages:
translated words, locale numbers and dates, right-to-left charts, and a PDF whose text reads back in its
language (with Arabic shaped and Chinese set in an embedded CJK face)."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from babel.dates import format_date
from openpyxl import load_workbook
from pypdf import PdfReader

from exchange.core.extensions import db
from exchange.core.i18n import speaking
from exchange.core.statuses import MatchStatus
from exchange.people.models import User
from tests.helpers import pdf_text, squeezed

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
DASHBOARD = {"ar": "لوحة المتابعة", "zh": "仪表板", "en": "Dashboard", "fr": "Tableau de bord", "ru": "Сводная панель",
             "es": "Panel"}
PROGRESS = {"ar": "التقرير المرحلي", "zh": "进度报告", "en": "Progress report", "fr": "Rapport d'étape",
            "ru": "Доклад о ходе работы", "es": "Informe sobre los progresos"}
MATRIX = {"ar": "مصفوفة الاحتياجات", "zh": "需求矩阵", "en": "Needs matrix", "fr": "Matrice des besoins",
          "ru": "Матрица потребностей", "es": "Matriz de necesidades"}
AUDIT = {"ar": "سجل التدقيق", "zh": "审计记录", "en": "Audit trail", "fr": "Piste d'audit", "ru": "Журнал аудита",
         "es": "Registro de auditoría"}
SECURITY = {"ar": "الأحداث الأمنية", "zh": "安全事件", "en": "Security events", "fr": "Événements de sécurité",
            "ru": "События безопасности", "es": "Eventos de seguridad"}
DIRECTORY = {"ar": "دليل المساعدة", "zh": "援助名录", "en": "Directory of assistance", "fr": "Répertoire de l'assistance",
             "ru": "Справочник помощи", "es": "Directorio de asistencia"}
COUNTRIES = {"ar": "الملامح القطرية", "zh": "国家概况", "en": "Country profiles", "fr": "Profils de pays",
             "ru": "Страновые профили", "es": "Perfiles de países"}
EXPORTS = {"ar": "التصدير", "zh": "导出", "en": "Exports", "fr": "Exportations", "ru": "Экспорт",
           "es": "Exportaciones"}


def page(client, path: str, lang: str) -> str:
    response = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
    assert response.status_code == 200, (path, lang, response.status_code)
    return response.get_data(as_text=True)


def h1(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL).group(1)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_of_the_part_speaks_each_language(clients, scenario, lang):
    coordinator = clients.coordinator
    assert DASHBOARD[lang] in h1(page(coordinator, "/dashboard", lang))
    assert MATRIX[lang] in h1(page(coordinator, "/matrix", lang))
    assert PROGRESS[lang] in h1(page(coordinator, "/reports/progress", lang))
    assert EXPORTS[lang] in h1(page(coordinator, "/exports", lang))
    assert DIRECTORY[lang] in h1(page(coordinator, "/directory", lang))
    assert COUNTRIES[lang] in h1(page(coordinator, "/countries", lang))
    profile = page(coordinator, "/countries/KAZ", lang)
    assert COUNTRIES[lang] in profile and "Strengthening the financial intelligence unit" in profile
    assert AUDIT[lang] in h1(page(coordinator, "/audit", lang))
    assert SECURITY[lang] in h1(page(clients.admin, "/admin/security", lang))
    # The other roles' dashboards and matrices too (their own sentences).
    for person in ("state", "provider"):
        assert DASHBOARD[lang] in h1(page(getattr(clients, person), "/dashboard", lang))
        assert MATRIX[lang] in h1(page(getattr(clients, person), "/matrix", lang))


def test_pages_write_numbers_dates_and_words_of_the_language(clients, scenario):
    french = page(clients.coordinator, "/matrix", "fr")
    assert "Comment lire une cellule" in french and "Lacune" in french and "How to read" not in french
    assert re.search(r"\d+ pays", french)
    today = date.today()
    russian_day = format_date(today, "medium", locale="ru")  # "1 дек. 2026 г."
    progress = page(clients.coordinator, f"/reports/progress?start={today}&end={today}", "ru")
    assert russian_day in h1(progress) and "Полученные запросы (представленные)" in progress
    arabic = page(clients.coordinator, "/reports/progress?start=soon", "ar")
    assert "استخدم تاريخا بالشكل 2025-01-31." in arabic  # the filter's error in the page's language


def test_audit_events_are_described_in_words(clients, scenario):
    spanish = page(clients.coordinator, "/audit?record_type=match", "es")
    assert "Vinculación propuesta" in spanish and "match.proposed" in spanish  # the words, and the code beside
    assert '<option value="match" selected>Vinculación</option>' in spanish
    chinese = page(clients.admin, "/admin/security", "zh")
    assert "<option value=\"security.sign_in\">登录</option>" in chinese


def charts_of(html: str) -> list[tuple[dict, bool]]:
    found = re.findall(r"<canvas class=\"chart-canvas\" data-chart='([^']*)'( data-rtl=\"true\")?", html)
    from html import unescape
    return [(json.loads(unescape(spec)), bool(rtl)) for spec, rtl in found]


def test_charts_get_their_words_from_the_page_and_read_right_to_left_in_arabic(clients, scenario):
    spanish = charts_of(page(clients.coordinator, "/dashboard", "es"))
    assert spanish and not any(rtl for _, rtl in spanish)
    labels = {d["label"] for spec, _ in spanish for d in spec["data"]["datasets"]}
    assert "Solicitudes" in labels and "Requests" not in labels
    pillar_chart = next(spec for spec, _ in spanish if spec["data"]["labels"][:1] == ["Pilar I"])
    assert pillar_chart["data"]["labels"] == ["Pilar I", "Pilar II", "Pilar III", "Pilar IV"]
    arabic_html = page(clients.coordinator, "/dashboard", "ar")
    arabic = charts_of(arabic_html)
    assert arabic and all(rtl for _, rtl in arabic)
    assert "الطلبات" in {d["label"] for spec, _ in arabic for d in spec["data"]["datasets"]}
    words = json.loads(re.search(r"<script type=\"application/json\" data-chart-words>(.*?)</script>",
                                 arabic_html).group(1))
    assert words == {"preparing": "جارٍ الإعداد…"}
    month = next(spec for spec, _ in charts_of(page(clients.coordinator, "/dashboard", "fr"))
                 if spec["options"].get("scales", {}).get("x", {}).get("stacked"))
    assert all(re.fullmatch(r"\w+\.? \d{4}", label) for label in month["data"]["labels"]), month["data"]["labels"]


def test_charts_script_holds_no_english_and_turns_charts_right_to_left():
    from pathlib import Path
    script = (Path(__file__).resolve().parents[2] / "static" / "js" / "charts.js").read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.strip().startswith("//"))
    assert "preparing" not in code.replace("words().preparing", "")
    assert "rtl: true" in code and "reverse: true" in code


def test_exports_write_headers_sheet_names_and_labels_in_the_language(app, clients, scenario):
    clients.coordinator.get("/exports?lang=fr")  # the account now reads French
    response = clients.coordinator.get("/exports/matrix.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True)[1:])))
    assert rows and set(rows[0]) == {"région", "code du pays", "pays", "thème", "pilier", "ouvertes",
                                     "mises en relation", "réalisées", "lacune"}
    assert {r["lacune"] for r in rows} <= {"oui", "non"} and "oui" in {r["lacune"] for r in rows}
    book = load_workbook(io.BytesIO(clients.coordinator.get("/exports/matches.xlsx").data))
    assert book.sheetnames == ["Mises en relation"]
    sheet = list(book.active.iter_rows(values_only=True))
    assert sheet[0][:3] == ("identifiant", "référence", "statut")
    with app.app_context(), speaking("fr"):  # the statuses by their labels, in French (core's words)
        labels = {str(MatchStatus.ACCEPTED.label), str(MatchStatus.COMPLETED.label)}
    assert {row[2] for row in sheet[1:]} == labels
    english = clients.state.get("/exports/matrix.csv?lang=en")
    assert english.get_data(as_text=True)[1:].startswith("region,country,country_name,theme,pillar,open,")


def test_export_sheet_titles_are_ones_excel_takes():
    from exchange.reports.exports import sheet_title
    assert sheet_title("Audit trail / 2026: [all]?") == "Audit trail   2026   all"
    assert len(sheet_title("Registro de auditoría de la Plataforma de Intercambio")) == 31


def fonts_of(data: bytes) -> set[str]:
    names = set()
    for pdf_page in PdfReader(io.BytesIO(data)).pages:
        for font in pdf_page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.mark.parametrize("lang", LANGUAGES)
def test_progress_pdf_in_each_language(clients, scenario, lang):
    today = date.today().isoformat()
    response = clients.coordinator.get(f"/reports/progress.pdf?start={today}&end={today}&lang={lang}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    text = pdf_text(response.data)
    if lang == "ar":
        assert squeezed(PROGRESS[lang]) in squeezed(text)
        assert squeezed("خلال الفترة") in squeezed(text)  # "In the period" (pypdf garbles some joining forms)
    else:
        assert PROGRESS[lang] in text
    assert "Nigeria (NGA)" in text or lang != "en"
    fonts = fonts_of(response.data)
    assert not any("Helvetica" in f for f in fonts)
    expected = {"ar": "NotoSansArabic", "zh": "NotoSansCJK"}.get(lang, "NotoSans")
    assert any(expected in f for f in fonts), fonts


def test_progress_pdf_command_writes_the_language_asked_for(app, people, scenario, tmp_path):
    runner = app.test_cli_runner()
    today = date.today().isoformat()
    for lang in ("zh", "ru"):
        out = tmp_path / f"progress-{lang}.pdf"
        result = runner.invoke(args=["exports", "progress", "--as", people.coordinator.email, "--start", today,
                                     "--end", today, "--out", str(out), "--language", lang])
        assert result.exit_code == 0, result.output
        assert PROGRESS[lang] in pdf_text(out.read_bytes())
    assert "Доклад о ходе работы с" in result.output  # the command's own words in the report's language
    with app.app_context():  # without --language: the account's language
        db.session.get(User, people.coordinator.id).language = "es"
        db.session.commit()
    out = tmp_path / "progress-account.pdf"
    result = runner.invoke(args=["exports", "progress", "--as", people.coordinator.email, "--start", today,
                                 "--end", today, "--out", str(out)])
    assert result.exit_code == 0 and PROGRESS["es"] in pdf_text(out.read_bytes())
    bad = runner.invoke(args=["exports", "progress", "--as", people.coordinator.email, "--start", today,
                              "--end", today, "--out", str(tmp_path / "x.pdf"), "--language", "de"])
    assert bad.exit_code != 0 and not (tmp_path / "x.pdf").exists()


def test_a_french_report_still_prints_a_chinese_name(app, clients, scenario, monkeypatch):
    """The fallback fonts: a region named in Chinese in a French PDF comes out in the CJK face."""
    from exchange.reference import names
    named = names.name
    monkeypatch.setattr(names, "name", lambda kind, code, default=None: "亚洲" if kind == "region" else
                        named(kind, code, default))
    today = date.today().isoformat()
    data = clients.coordinator.get(f"/reports/progress.pdf?start={today}&end={today}&lang=fr").data
    text = pdf_text(data)
    assert "Rapport d'étape" in text and "亚洲" in text
    fonts = fonts_of(data)
    assert any("NotoSansCJK" in f for f in fonts) and any(f.endswith("+NotoSans") for f in fonts), fonts
