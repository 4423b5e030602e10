"""Long exports as jobs: started on the page, their progress in the page and in its JSON status (polled by
the page's script, or by reloading), the file offered to whoever started it and nobody else; the same from
the command line with a progress bar."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from exchange.core.extensions import db
from exchange.jobs.models import Job
from tests.factories import make_request
from tests.helpers import queued_jobs, run_jobs

CLIENTS = {"member_state": "state", "provider": "provider", "coordinator": "coordinator", "admin": "admin"}


def _requests(app, people, count: int) -> None:
    with app.app_context():
        for i in range(count):
            make_request(people, "submitted", title=f"Request number {i} on border control")
        db.session.commit()


def test_an_export_job_shows_its_progress_then_offers_its_file(app, people, clients):
    _requests(app, people, 3)
    with queued_jobs():
        started = clients.coordinator.post("/jobs/exports", data={"kind": "requests", "format": "csv",
                                                                  "f-q": "border"})
        assert started.status_code == 302
        job_path = started.headers["Location"]
        job_id = int(job_path.rstrip("/").split("/")[-1])
        waiting = clients.coordinator.get(f"/jobs/{job_id}/status").json
        assert (waiting["state"], waiting["percent"], waiting["download"]) == ("queued", 0, None)
        page = clients.coordinator.get(job_path)
        assert page.status_code == 200 and "reload it" in page.text and "job_progress.js" in page.text
        assert run_jobs() >= 1
    done = clients.coordinator.get(f"/jobs/{job_id}/status").json
    assert (done["state"], done["done"], done["total"], done["percent"]) == ("done", 3, 3, 100)
    assert "Download the file" in clients.coordinator.get(job_path).text
    download = clients.coordinator.get(done["download"])
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert len(rows) == 4 and all("border control" in " ".join(r) for r in rows[1:])
    listing = clients.coordinator.get("/jobs")
    assert f"/jobs/{job_id}" in listing.text


def test_a_job_is_its_starter_s_alone(app, people, clients):
    _requests(app, people, 1)
    started = clients.provider.post("/jobs/exports", data={"kind": "offers", "format": "xlsx"})
    job_id = int(started.headers["Location"].split("/")[-1])
    for role, name in CLIENTS.items():
        client = getattr(clients, name)
        assert client.get("/jobs").status_code == 200, role
        for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/status", f"/jobs/{job_id}/download"):
            wanted = 200 if role in ("provider", "admin") else 404
            assert client.get(path).status_code == wanted, (role, path)
    for path in ("/jobs", f"/jobs/{job_id}", f"/jobs/{job_id}/status"):
        assert clients.anonymous.get(path).status_code == 302
    assert clients.anonymous.post("/jobs/exports", data={"kind": "offers", "format": "csv"}).status_code in (302, 400, 403)


def test_what_the_export_holds_is_what_its_starter_may_see(app, people, clients):
    with app.app_context():
        make_request(people, "submitted", by="other_state", visibility="restricted", title="Hidden from UNODC")
        make_request(people, "submitted", title="Seen by UNODC")
        db.session.commit()
    started = clients.provider.post("/jobs/exports", data={"kind": "requests", "format": "csv"})
    job_id = int(started.headers["Location"].split("/")[-1])
    text = clients.provider.get(f"/jobs/{job_id}/download").data.decode("utf-8-sig")
    assert "Seen by UNODC" in text and "Hidden from UNODC" not in text


def test_bad_exports_are_refused_and_start_nothing(app, people, clients):
    for data in ({"kind": "audit", "format": "csv"}, {"kind": "requests", "format": "pdf"}, {}):
        assert clients.coordinator.post("/jobs/exports", data=data).status_code == 422, data
    with app.app_context():
        assert db.session.scalars(select(Job)).all() == []


def test_the_cli_export_shows_a_progress_bar_and_the_file(app, people):
    _requests(app, people, 2)
    result = app.test_cli_runner().invoke(args=["jobs", "export", "requests", "--as", people.coordinator.email])
    assert result.exit_code == 0, result.output
    assert "queued" in result.output and "Done:" in result.output
    path = result.output.strip().splitlines()[-1].split("Done:", 1)[1].strip()
    with open(path, encoding="utf-8-sig") as handle:
        assert len(list(csv.reader(handle))) == 3
