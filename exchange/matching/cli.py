"""`flask matching embed`: compute the text vectors that are missing or stale, with a progress bar.

Idempotent: a vector is current when it was computed by the configured model from the record's
present text (same hash), and current vectors are skipped; rows of records that no longer exist
are deleted. `flask matching rebuild` calls `embed_missing` first, so a failed or lost refresh
after commit (see `refresh.py`) is caught up there too.
"""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _


def embed_missing(force: bool = False, label: str | None = None) -> dict[str, int]:
    """Backfill with a progress bar (click.progressbar); returns what `store.backfill` returns."""
    from exchange.matching.refresh import embedder_for
    from exchange.matching.store import backfill, count_stale
    embedder = embedder_for(current_app)
    if force:
        from exchange.core.extensions import db
        from exchange.offers.models import Offer
        from exchange.requests.models import AssistanceRequest
        total = (db.session.scalar(db.select(db.func.count()).select_from(AssistanceRequest))
                 + db.session.scalar(db.select(db.func.count()).select_from(Offer)))
        db.session.commit()
    else:
        stale = count_stale(embedder)
        total = stale["request"] + stale["offer"]
    click.echo(_("%(num)s texts to embed with %(model)s.", num=total, model=embedder.name))
    started = time.perf_counter()
    with click.progressbar(length=max(total, 1), label=str(label or _("Embedding texts")), show_pos=True,
                           show_eta=True) as bar:
        result = backfill(embedder, progress=bar.update, force=force)
        if total == 0:
            bar.update(1)
    seconds = time.perf_counter() - started
    done = result["requests"] + result["offers"]
    rate = f", {done / seconds:.1f} texts/s" if done and seconds > 0 else ""
    click.echo(_("%(requests)s requests and %(offers)s offers embedded in %(seconds)s s%(rate)s; %(pruned)s rows "
                 "of deleted records removed.", requests=result["requests"], offers=result["offers"],
                 seconds=f"{seconds:.1f}", rate=rate, pruned=result["pruned_rows"]))
    return result


@click.command("embed")
@click.option("--all", "force", is_flag=True, help="Recompute every vector, not only missing or stale ones.")
@with_appcontext
def embed_command(force: bool):
    """Compute the stored text vectors of requests and offers that are missing or stale."""
    embed_missing(force=force)
