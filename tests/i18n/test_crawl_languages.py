"""Every page in every language: with the demo data loaded, each role walks the links from its home page in
Arabic, Chinese, French, Russian and Spanish (the language chosen as a person would, with the switch's
cookie). No page answers a server error, every page says its language on <html>, and no English is left in
the interface: no text of the catalogues is shown untranslated, and in the three languages written in other
scripts no run of English words is left outside what people wrote (elements marked with their own `lang`)
and codes (`translate="no"`, <code>)."""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import lxml.html
import pytest
from babel.messages.pofile import read_po

from exchange.core import catalogues, i18n
from tests.helpers import DEMO_LOGINS, demo_client

MAX_PAGES = 45  # per role and language: every kind of page, not every record
ROLES = ("member_state", "provider", "coordinator", "admin")
TARGETS = ("ar", "zh", "fr", "ru", "es")
NON_LATIN = {"ar", "zh", "ru"}
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
# English function words: two of them in one piece of interface text is an English sentence left behind.
ENGLISH_WORDS = frozenset({
    "the", "of", "and", "to", "in", "for", "on", "with", "is", "are", "this", "that", "your", "you", "no", "not",
    "by", "from", "an", "be", "has", "have", "or", "at", "as", "it", "was", "will", "can", "there", "yet", "which",
    "who", "what", "when", "here", "only", "been", "any", "more"})
WORD = re.compile(r"[A-Za-z]+")
LINK = re.compile(r'href="(/[^"]*)"')
SKIP = ("/static/", "/bootstrap/", "/logout")


def translations(language: str) -> dict[str, str]:
    """Every English text of the catalogues with its translation in `language` (plural forms: the first)."""
    table: dict[str, str] = {}
    for po in catalogues.PACKAGE.glob(f"**/translations/{language}/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if message.id and message.string:
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    string = message.string if isinstance(message.string, str) else message.string[0]
                    table[msgid] = string
    return table


def _normal(text: str) -> str:
    return " ".join(text.split())


def interface_texts(html: str) -> list[str]:
    """The pieces of text of a page that belong to the interface: not scripts, not what people wrote (an
    element with its own `lang`, `lang=""` when its language is unknown), not codes."""
    root = lxml.html.fromstring(html)
    # The <title> joins a record's own title to the page's words, and cannot mark the record's language.
    for element in root.xpath("//title|//script|//style|//code|//pre|//kbd|//samp|//*[@translate='no']|"
                              "//body//*[@lang]"):
        element.drop_tree()
    texts = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for piece in (element.text, element.tail):
            if piece and piece.strip():
                texts.append(_normal(piece))
        for name in READ_ATTRIBUTES:
            if element.get(name):
                texts.append(_normal(element.get(name)))
    return texts


def english_left(html: str, language: str, table: dict[str, str]) -> list[str]:
    found = []
    for piece in interface_texts(html):
        translated = table.get(piece)
        if translated is not None and _normal(translated) != piece:
            found.append(piece)  # a catalogue's English shown as it is
        elif language in NON_LATIN and sum(w.lower() in ENGLISH_WORDS for w in WORD.findall(piece)) >= 2:
            found.append(piece)  # English words in a page written in another script
    return found


def test_the_english_finder_sees_english_and_ignores_content():
    table = {"Save as draft": "Enregistrer comme brouillon"}
    page = ('<html lang="fr"><body><button>Save as draft</button><p lang="en">The title of the request</p>'
            '<code>R-00001</code><span title="Save as draft">x</span></body></html>')
    assert english_left(page, "fr", table) == ["Save as draft", "Save as draft"]
    assert english_left('<html><body><p>Nothing to do in the list</p></body></html>', "ru", {}) == [
        "Nothing to do in the list"]
    assert english_left('<html><body><p>Запросы · UNODC</p></body></html>', "ru", {}) == []


@pytest.mark.parametrize("language", TARGETS)
@pytest.mark.parametrize("who", ROLES)
def test_every_page_speaks_the_chosen_language(app, demo, who, language):
    client = demo_client(app, DEMO_LOGINS[who])
    client.set_cookie(i18n.COOKIE, language)
    table = translations(language)
    seen, queue, failures, english = set(), deque(["/"]), [], {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        body = response.get_data()
        if response.status_code >= 500:
            failures.append(f"{path}: {response.status_code}")
            continue
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        html = body.decode()
        if f'<html lang="{language}" dir="{i18n.direction(language)}">' not in html:
            failures.append(f"{path}: not marked as {language}")
        for piece in english_left(html, language, table):
            english.setdefault(piece, path)
        for href in LINK.findall(html):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            if (href and not href.startswith(SKIP) and "lang=" not in href and urlsplit(href).netloc == ""
                    and href not in seen):
                queue.append(href)
    print(f"{who}/{language}: {len(seen)} pages")
    assert not failures, failures
    assert not english, "English left in the interface: " + "; ".join(
        f"{text!r} on {path}" for text, path in list(english.items())[:40])
    assert len(seen) > 10
