"""The translation catalogues: extracted from the code, kept per area, compiled at install, checked by tests.

Each area keeps the words of its own modules and templates in `exchange/<area>/translations/<lang>/LC_MESSAGES/
messages.po`; the shell (core, web, api, the factory and the top-level templates/) keeps its own in
`exchange/translations/`. Flask-Babel merges them all (core/i18n.translation_directories).

    python -m exchange.core.catalogues update    # extract, then add new words to every .po (no guesses)
    python -m exchange.core.catalogues compile   # .po -> .mo (make install runs it)
    python -m exchange.core.catalogues check     # what is missing, untranslated, fuzzy or mismatched

English is the source language: its catalogues are not written; every other official language must be
complete, with no fuzzy entry and the same placeholders as the English words."""
from __future__ import annotations

import io
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent.parent
PROJECT = PACKAGE.parent
TARGET_LANGUAGES = ("ar", "zh", "fr", "ru", "es")
SHELL = "shell"
# What belongs to the shell rather than to an area: core, the page and API shells, the factory, the commands.
SHELL_PARTS = frozenset({"core", "web", "api", "app.py", "cli.py", "__init__.py"})

KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2), "_l": None}
METHODS = [
    ("**/templates/**.html", "jinja2"),
    ("**/reference/data/*.csv", "exchange.reference.extract:extract_reference_csv"),
    ("**.py", "python"),
]
OPTIONS = {"**/templates/**.html": {"trimmed": "true", "silent": "false"}}  # {% trans %} blocks' spaces folded
# Folders and files never searched: data, tests, migrations and the matching engine's own word lists.
SKIP = re.compile(r"(^|/)(tests|migrations|__pycache__|translations|iati_schema|evaluation)(/|$)|matching/data/")
# printf-style (`%(ref)s`, `%d`) and str.format-style (`{max}`, marshmallow's and WTForms' own messages).
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +\-]*\d*(?:\.\d+)?[sdifrx%]|\{(\w*)\}")


def catalogue_dir(part: str) -> Path:
    return PACKAGE / "translations" if part == SHELL else PACKAGE / part / "translations"


def part_of(path: str) -> str:
    """The catalogue a source file's words belong to: its area's, or the shell's."""
    relative = Path(path)
    if relative.parts[0] == "templates":
        return SHELL
    if relative.parts[0] == "exchange":
        relative = Path(*relative.parts[1:])
    head = relative.parts[0]
    return SHELL if head in SHELL_PARTS else head


def _keep(filename: str) -> bool:
    return not SKIP.search(filename.replace("\\", "/"))


def extract() -> dict[str, Catalog]:
    """Every translatable text of the project, one template catalogue per area and one for the shell."""
    catalogues: dict[str, Catalog] = defaultdict(lambda: Catalog(project="The Exchange", fuzzy=False))
    sources = [(PACKAGE, "exchange", METHODS), (PROJECT / "templates", "templates", [("**.html", "jinja2")])]
    for directory, prefix, methods in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
                directory, methods, {pattern: OPTIONS["**/templates/**.html"] for pattern, method in methods
                                     if method == "jinja2"}, KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True,
                directory_filter=lambda d: _keep(d)):
            if not _keep(filename):
                continue
            path = f"{prefix}/{filename}"
            catalogues[part_of(path)].add(message, None, [(path, lineno)], auto_comments=comments,
                                          context=context)
    return dict(catalogues)


def _po_path(part: str, language: str) -> Path:
    return catalogue_dir(part) / language / "LC_MESSAGES" / "messages.po"


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _without_date(text: bytes) -> bytes:
    return re.sub(rb'"POT-Creation-Date: [^"]*"', b"", text)


def _write(path: Path, catalogue: Catalog) -> bool:
    """Write the catalogue unless the file says the same already (the extraction's date aside, so that an update
    that changes no words touches no file). Whether it wrote."""
    out = io.BytesIO()
    write_po(out, catalogue, width=110, sort_by_file=False, omit_header=False, include_previous=False)
    if path.exists() and _without_date(path.read_bytes()) == _without_date(out.getvalue()):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return True


def update(parts: Iterable[str] | None = None) -> list[Path]:
    """Extract, write each part's messages.pot, and bring every language's .po up to date: new words are
    added untranslated (never guessed), words no longer used are dropped. Returns the files written."""
    written = []
    templates = extract()
    for part, template in sorted(templates.items()):
        if parts and part not in parts:
            continue
        pot = catalogue_dir(part) / "messages.pot"
        if _write(pot, template):
            written.append(pot)
        for language in TARGET_LANGUAGES:
            path = _po_path(part, language)
            catalogue = _read(path, language) if path.exists() else Catalog(locale=language,
                                                                            project="The Exchange")
            catalogue.update(template, no_fuzzy_matching=True)
            catalogue.obsolete.clear()
            if _write(path, catalogue):
                written.append(path)
    return written


def compile_all() -> int:
    """Compile every .po next to itself (.mo). Returns how many were compiled."""
    count = 0
    for po in PACKAGE.glob("**/translations/*/LC_MESSAGES/messages.po"):
        language = po.parent.parent.name
        catalogue = _read(po, language)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalogue, use_fuzzy=False)
        count += 1
    return count


def placeholders(message: str) -> list[str]:
    """The named (or positional) placeholders of a message, sorted: `%(ref)s` gives ['ref']."""
    found = []
    for match in PLACEHOLDER.finditer(message):
        if match.group(0) == "%%":
            continue
        found.append(match.group(1) or match.group(2) or match.group(0))
    return sorted(found)


@dataclass(frozen=True)
class Problem:
    part: str
    language: str
    msgid: str
    what: str

    def __str__(self) -> str:
        return f"{self.part}/{self.language}: {self.what}: {self.msgid!r}"


def check(templates: dict[str, Catalog] | None = None) -> list[Problem]:
    """Every problem of every catalogue: a text of the code missing from a language, an empty or fuzzy
    translation, placeholders that differ from the English, the same words translated differently by two
    parts (Flask-Babel merges every part's catalogue into one table, so only one of them would be shown)."""
    problems: list[Problem] = []
    templates = templates if templates is not None else extract()
    for language in TARGET_LANGUAGES:
        chosen: dict[tuple, tuple[str, object]] = {}
        for part, template in sorted(templates.items()):
            path = _po_path(part, language)
            if not path.exists():
                problems.append(Problem(part, language, str(path.relative_to(PROJECT)), "no catalogue"))
                continue
            catalogue = _read(path, language)
            for message in template:
                if not message.id:
                    continue
                entry = catalogue.get(message.id, message.context)
                problems.extend(_check_one(part, language, message, entry))
                if entry is None or not entry.string:
                    continue
                key, string = (message.id, message.context), entry.string
                string = string if isinstance(string, str) else tuple(string)
                first = chosen.setdefault(key, (part, string))
                if first[1] != string:
                    problems.append(Problem(part, language, _singular(message.id),
                                            f"translated otherwise in {first[0]} ({first[1]!r})"))
    return problems


def _singular(msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _check_one(part: str, language: str, source, entry) -> list[Problem]:
    msgid = source.id if isinstance(source.id, str) else source.id[0]
    if entry is None:
        return [Problem(part, language, msgid, "missing")]
    if entry.fuzzy:
        return [Problem(part, language, msgid, "fuzzy")]
    translations = entry.string if isinstance(entry.string, (list, tuple)) else [entry.string]
    if not all(translations):
        return [Problem(part, language, msgid, "untranslated")]
    originals = source.id if isinstance(source.id, (list, tuple)) else [source.id]
    expected = placeholders(originals[-1])
    for translation in translations:
        found = placeholders(translation)
        # A plural form may leave out the count (Chinese has one form, Arabic says "one" in words), nothing else.
        if found != expected and (len(originals) == 1 or [p for p in expected if p != "num"]
                                  != [p for p in found if p != "num"]):
            return [Problem(part, language, msgid, f"placeholders {found} instead of {expected}")]
    return []


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "update":
        parts = argv[2:] or None
        for path in update(parts):
            print(path.relative_to(PROJECT))
        return 0
    if command == "compile":
        print(f"{compile_all()} catalogues compiled")
        return 0
    if command == "check":
        problems = check()
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problems")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
