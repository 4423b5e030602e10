"""Large imports, in the request and as jobs: python benchmarks/imports_bench.py [--rows 5000] [--database-url URL]

Over a scratch database (SQLite by default; --database-url postgresql+psycopg://… for PostgreSQL) with the
reference data and a person of every role, through the real pages (the Flask test client, signed in):

* before (IMPORT_JOB_ROWS above the file's size: the import answered in the request, as before the jobs): the
  upload's request (its preview: every row tried and undone) and the confirmation's (every row saved);
* after (IMPORT_JOB_ROWS 50): the upload's request (the file read and kept, its check queued) and the
  confirmation's (its apply queued) — the time a person waits — then each job run by the queue as a worker runs
  it, with its rows a second.

For a file of --rows offers and one of --rows requests (the requests' import is the coordinators'). Prints the
figures and the ratios; asserts nothing.
"""
from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _timed(work):
    began = time.perf_counter()
    result = work()
    return result, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--kinds", default="offers,requests")
    parser.add_argument("--skip-before", action="store_true", help="only the jobs (the in-request runs are long)")
    args = parser.parse_args()
    os.environ.setdefault("EXCHANGE_MATCHING_EMBEDDER", "fake")
    import logging
    logging.disable(logging.WARNING)
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from exchange.app import create_app
    from exchange.core.extensions import db
    from exchange.jobs import queue
    from exchange.offers.models import Offer
    from exchange.reference.seed import load_reference
    from exchange.requests.models import AssistanceRequest
    from tests.factories import as_csv, as_requests_csv, import_rows, make_people, request_import_rows
    from tests.helpers import signed_in_client

    folder = Path(tempfile.mkdtemp(prefix="imports-bench-"))
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40, "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://", "JOBS_QUEUE_URL": "memory://",
                      "JOBS_IMMEDIATE": False, "JOBS_FILES_FOLDER": str(folder / "job-files"),
                      "MAX_CONTENT_LENGTH": 64 * 1024 * 1024})
    queue.set_immediate(False)
    with app.app_context():
        if args.database_url:
            db.drop_all()
            from sqlalchemy import text
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        load_reference()
        people = make_people()
        db.session.commit()
        users = {"offers": people.provider.id, "requests": people.coordinator.id}
    files = {"offers": as_csv(import_rows(args.rows)), "requests": as_requests_csv(request_import_rows(args.rows))}
    models = {"offers": Offer, "requests": AssistanceRequest}
    print(f"{args.rows} rows a file; database {'PostgreSQL' if args.database_url else 'SQLite'}", flush=True)

    def count(model) -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(model))

    def measure(kind: str) -> None:
        client = signed_in_client(app, users[kind])
        path = f"/imports/{kind}"
        upload = lambda: client.post(path, data={"file": (io.BytesIO(files[kind]), f"{kind}.csv")},
                                     content_type="multipart/form-data")

        print(f"\n{kind}: {args.rows} rows", flush=True)
        before = count(models[kind])

        # After: as jobs (first: the figures that matter most come out first on a loaded machine).
        app.config["IMPORT_JOB_ROWS"] = 50
        started, handoff_s = _timed(upload)
        assert started.status_code == 302, started.get_data(as_text=True)[:500]
        page_path = started.headers["Location"]
        print(f"  after, handed off:      upload (kept, check queued)    {handoff_s * 1000:8.0f} ms", flush=True)
        _, check_s = _timed(queue.run_jobs)
        assert "rows are valid" in client.get(page_path).get_data(as_text=True)
        print(f"  the check job:          {check_s:8.2f} s  ({args.rows / check_s:5.0f} rows/s)", flush=True)
        confirmed, confirm_s = _timed(lambda: client.post(f"{page_path}/confirm"))
        assert confirmed.status_code == 302
        print(f"  after, handed off:      confirm (apply queued)         {confirm_s * 1000:8.0f} ms", flush=True)
        task = queue.huey.dequeue()
        assert task.name == "jobs.import_apply"
        _, apply_s = _timed(lambda: queue.huey.execute(task))
        assert count(models[kind]) == before + args.rows
        queue.huey.storage.flush_all()  # what the saved rows queued (text vectors, e-mails): not measured here
        print(f"  the apply job:          {apply_s:8.2f} s  ({args.rows / apply_s:5.0f} rows/s)", flush=True)
        if args.skip_before:
            return

        # Before: in the request (IMPORT_JOB_ROWS above the file's size).
        app.config["IMPORT_JOB_ROWS"] = 10 ** 9
        page, preview_s = _timed(upload)
        assert page.status_code == 200, page.get_data(as_text=True)[:500]
        print(f"  before, in the request: upload (preview)  {preview_s:8.2f} s   "
              f"({preview_s / handoff_s:.0f}x the hand-off)", flush=True)
        token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        done, save_s = _timed(lambda: client.post(f"{path}/confirm", data={"token": token}))
        assert done.status_code in (200, 302) and count(models[kind]) == before + 2 * args.rows
        queue.huey.storage.flush_all()
        print(f"  before, in the request: confirm (save)    {save_s:8.2f} s   "
              f"({save_s / confirm_s:.0f}x the hand-off)", flush=True)

    for kind in [k for k in args.kinds.split(",") if k]:
        measure(kind)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
