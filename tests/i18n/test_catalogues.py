"""The catalogues are complete: every text the code and the templates hand to gettext is translated in Arabic,
Chinese, French, Russian and Spanish, with no fuzzy entry and the same placeholders as the English; no
template holds words outside gettext; the compiled catalogues are those of the .po files."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from exchange.core import catalogues

PROJECT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted([*PROJECT.glob("exchange/*/templates/**/*.html"), *PROJECT.glob("templates/**/*.html")])

TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.DOTALL)
JINJA = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.DOTALL)
WORDS = re.compile(r"[^\W\d_]{2,}")  # two letters in a row, of any script


def has_words(text: str) -> bool:
    """Words people read, not acronyms that every language writes alike (CSV, XLSX, IATI, UTC)."""
    return any(not (word.isascii() and word.isupper()) for word in WORDS.findall(text))
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription"}


@pytest.fixture(scope="module")
def extracted():
    return catalogues.extract()


def test_every_text_is_translated_in_every_official_language(extracted):
    problems = catalogues.check(extracted)
    shown = "\n".join(str(p) for p in problems[:60])
    assert not problems, f"{len(problems)} catalogue problems (fix with `make catalogues`, then translate):\n{shown}"


def test_extraction_finds_the_texts_of_every_part(extracted):
    # A sanity check on the extraction itself: each part with pages or messages has words to translate.
    for part in ("shell", "requests", "offers", "matches", "messages", "people", "reports", "audit", "reference"):
        assert len(extracted.get(part, [])) > 5, part
    shell = {m.id for m in extracted["shell"]}
    assert "Skip to the main content" in shell


class _TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or (name == "value" and attributes.get("type") in
                                                       ("submit", "button", "reset"))) and has_words(value):
                self.found.append(f'{tag}[{name}="{value}"]')

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and has_words(data):
            self.found.append(data.strip())


def words_outside_gettext(source: str) -> list[str]:
    """The words of a template that no gettext call or {% trans %} block holds."""
    source = TRANS_BLOCK.sub("", source)
    source = JINJA.sub("\u00a7", source)
    finder = _TextFinder()
    finder.feed(source)
    return finder.found


def test_the_template_checker_finds_raw_words():
    assert words_outside_gettext('<p>{{ _("Saved") }}</p><p>Saved</p>') == ["Saved"]
    assert words_outside_gettext('<input type="submit" value="Send"><i title="{{ _(\'x\') }}">') == [
        'input[value="Send"]']
    assert words_outside_gettext("{% trans n=3 %}You have {{ n }} requests{% endtrans %}<b>—</b>") == []
    assert words_outside_gettext("<script>const a = 'words';</script>{# a comment #}") == []
    assert words_outside_gettext("<a>CSV</a> · <a>XLSX</a>") == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_no_template_holds_words_outside_gettext(template):
    found = words_outside_gettext(template.read_text(encoding="utf-8"))
    assert not found, f"untranslated words in {template.relative_to(PROJECT)}: {found[:20]}"


def test_the_compiled_catalogues_are_those_of_the_po_files():
    stale = [str(po.relative_to(PROJECT)) for po in PROJECT.glob("exchange/**/translations/*/LC_MESSAGES/messages.po")
             if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    assert not stale, f"compile them (make translations, or python -m exchange.core.catalogues compile): {stale}"


def test_placeholders_are_compared_by_name():
    assert catalogues.placeholders("Request %(ref)s by %(state)s: 100%%") == ["ref", "state"]
    assert catalogues.placeholders("Length must be between {min} and {max}.") == ["max", "min"]
    assert catalogues.placeholders("%d of %s") == ["%d", "%s"]


def test_the_check_finds_missing_fuzzy_mismatched_and_inconsistent_entries(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po
    monkeypatch.setattr(catalogues, "PACKAGE", tmp_path)
    monkeypatch.setattr(catalogues, "PROJECT", tmp_path)
    template = {"alpha": Catalog(), "beta": Catalog()}
    for part in template.values():
        part.add("Save")
        part.add("Request %(ref)s")
    template["alpha"].add("Only here")
    for language in catalogues.TARGET_LANGUAGES:
        for part, save, ref in (("alpha", "A", "R %(ref)s"), ("beta", "B", "R %(reference)s")):
            catalogue = Catalog(locale=language)
            catalogue.add("Save", save)
            catalogue.add("Request %(ref)s", ref, flags=("fuzzy",) if language == "fr" else ())
            path = tmp_path / part / "translations" / language / "LC_MESSAGES" / "messages.po"
            path.parent.mkdir(parents=True)
            with path.open("wb") as handle:
                write_po(handle, catalogue)
    found = {(p.part, p.language, p.msgid, p.what.split(" (")[0].split(" [")[0]) for p in catalogues.check(template)}
    assert ("alpha", "ar", "Only here", "missing") in found
    assert ("alpha", "fr", "Request %(ref)s", "fuzzy") in found
    assert ("beta", "ru", "Request %(ref)s", "placeholders") in found
    assert ("beta", "zh", "Save", "translated otherwise in alpha") in found
