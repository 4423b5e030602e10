"""The needs matrix for 193 States (issue 14): folded regions and "only the countries with a gap" kept in the
address with the filters, working without JavaScript; the header row and the country column are sticky."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path


def region_codes(html: str) -> list[str]:
    return re.findall(r'<tbody id="region-(\d+)"', html)


def shown_rows(html: str, region: str) -> tuple[int, int]:
    """(rows shown, rows hidden) of a region's body."""
    body = re.search(rf'<tbody id="region-{region}".*?</tbody>', html, re.DOTALL).group(0)
    return body.count('<tr class="mx-row">'), body.count('<tr class="mx-row" hidden>')


def test_a_region_folds_by_its_link_and_the_address_keeps_it_with_the_filters(clients, scenario):
    html = clients.coordinator.get("/matrix?pillar=II").get_data(as_text=True)
    regions = region_codes(html)
    assert regions
    first = regions[0]
    fold = re.search(rf'<a class="mx-fold" href="([^"]+)" data-region="{first}"', html).group(1)
    fold = unescape(fold)
    assert "pillar=II" in fold and f"fold={first}" in fold and 'aria-expanded="true"' in html
    folded = clients.coordinator.get(fold.split("#")[0]).get_data(as_text=True)
    shown, hidden = shown_rows(folded, first)
    assert shown == 0 and hidden >= 1
    assert re.search(rf'href="[^"]*"\s+data-region="{first}"\s+aria-expanded="false"', folded)
    # Its link unfolds it again, still with the filter.
    unfold = unescape(re.search(rf'<a class="mx-fold" href="([^"]+)" data-region="{first}"', folded).group(1))
    assert "pillar=II" in unfold and "fold=" not in unfold
    # The export from the folded page keeps the filter (folding is the page's, not the data's).
    export = unescape(re.search(r'href="(/exports/matrix\.xlsx[^"]*)"', folded).group(1))
    assert "pillar=II" in export


def test_only_the_countries_with_a_gap(clients, scenario):
    every = clients.coordinator.get("/matrix").get_data(as_text=True)
    gaps = clients.coordinator.get("/matrix?show=gaps").get_data(as_text=True)
    assert gaps.count('class="mx-row"') < every.count('class="mx-row"')
    assert gaps.count('class="mx-row"') == len(set(re.findall(r'data-gap="([A-Z]{3})-', every)))
    assert "Show every country" in gaps


def test_unknown_fold_codes_are_ignored(clients, scenario):
    html = clients.coordinator.get("/matrix?fold=999,<x>").get_data(as_text=True)
    assert 'class="mx-row" hidden' not in html


def test_the_header_row_and_country_column_stay_in_view():
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert re.search(r"\.matrix thead th \{ position: sticky; top: 0;", css)
    assert re.search(r"\.matrix th\.mx-country, \.matrix tfoot th \{ position: sticky; inset-inline-start: 0;", css)
