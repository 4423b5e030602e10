"""The reference data's words for the catalogues: a Babel extractor that reads the names and descriptions in
reference/data/*.csv (themes, modalities, working groups, Task Force entities), so that they are translated
like any other text. Countries, M49 areas and languages are not extracted: CLDR names them (reference.names)."""
from __future__ import annotations

import csv
import io

# The columns of each file whose words people read; files not named here hold CLDR-named rows or codes.
TRANSLATED_COLUMNS = {
    "themes.csv": ("name", "description"),
    "modalities.csv": ("name", "description"),
    "working_groups.csv": ("name",),
    "organisations.csv": ("name",),
}


def extract_reference_csv(fileobj, keywords, comment_tags, options):
    """Babel extraction method: yields (line, function, message, comments) for each translated cell."""
    name = getattr(fileobj, "name", "")
    columns = next((cols for file, cols in TRANSLATED_COLUMNS.items() if str(name).endswith(file)), ())
    if not columns:
        return
    reader = csv.DictReader(io.TextIOWrapper(fileobj, encoding="utf-8"))
    for row in reader:
        for column in columns:
            value = (row.get(column) or "").strip()
            if value:
                yield reader.line_num, "gettext", value, [f"{name.rsplit('/', 1)[-1]}: {row.get('code', '')} "
                                                           f"({column})"]
