"""Panels: the parts of a record's page that an area above the record's own shows (the matches of a request,
the offers suggested for it), without the record's area importing that area.

The area above registers, once per app, a loader for a type of record and a place on its page
(`register_panel(app, "request", "workflow", loader)`); a loader takes (user, record) and returns a `Panel`
(the template to include and the data it shows) or None when there is nothing for this person. The record's
own view calls `load_panels(record_type, user, record)` with the rest of its page's data, so everything the
page shows is still loaded by its view, in one place, before rendering; the page includes each panel of a
place: `{% for panel in panels.workflow %}{% include panel.template %}{% endfor %}` (the template reads
`panel.data`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

EXTENSION_KEY = "exchange.panels"


@dataclass(frozen=True)
class Panel:
    template: str
    data: dict = field(default_factory=dict)


Loader = Callable[[Any, Any], "Panel | None"]


def register_panel(app: Flask, record_type: str, place: str, loader: Loader) -> None:
    """Show `loader`'s panel at `place` on the pages of `record_type` records (after those registered before)."""
    places = app.extensions.setdefault(EXTENSION_KEY, {}).setdefault(record_type, {})
    places.setdefault(place, []).append(loader)


def load_panels(record_type: str, user, record, places: tuple[str, ...]) -> dict[str, list[Panel]]:
    """Each of the page's `places` with the panels the registered loaders give `user` for `record`."""
    registered = current_app.extensions.get(EXTENSION_KEY, {}).get(record_type, {})
    if unknown := set(registered) - set(places):
        raise LookupError(f"The {record_type} page has no place {sorted(unknown)} for panels: it has {places}.")
    result: dict[str, list[Panel]] = {}
    for place in places:
        panels = (loader(user, record) for loader in registered.get(place, []))
        result[place] = [panel for panel in panels if panel is not None]
    return result
