"""Large imports as jobs, through the real layers: a file of more than IMPORT_JOB_ROWS rows is kept and
checked by a job (its progress on the import's page and in its JSON status), its report shown (a refused one
saves nothing), then, once its owner confirms, saved by a second job in one transaction; the import's page is
its owner's (and the admins') alone; the apply runs once whatever happens (a task run twice, two workers at
once, an admin's retry); a real consumer runs it; the command line shows the progress bar."""
from __future__ import annotations

import io
import re
import threading

import pytest
from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.jobs import queue
from exchange.jobs.models import ImportUpload, Job
from exchange.offers.models import Offer
from exchange.requests.models import AssistanceRequest
from tests.factories import (
    as_csv,
    as_requests_csv,
    iati_activity,
    iati_file,
    import_rows,
    request_import_rows,
)
from tests.helpers import queued_jobs, run_jobs

ROWS = 8


@pytest.fixture(autouse=True)
def small_threshold(app, monkeypatch):
    """Imports of more than 5 rows run as jobs here (the default is 50): the tests stay quick."""
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 5)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, path: str, content: bytes, filename: str, **form):
    return client.post(path, data={"file": (io.BytesIO(content), filename), **form},
                       content_type="multipart/form-data")


def _upload_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/imports/\w+/(\d+)$", response.headers["Location"]).group(1))


def _upload_row(app, upload_id: int) -> ImportUpload:
    with app.app_context():
        row = db.session.get(ImportUpload, upload_id)
        db.session.expunge(row)
        return row


def test_a_large_offers_import_is_checked_then_saved_by_jobs_with_its_progress(app, clients):
    with queued_jobs():
        started = _upload(clients.provider, "/imports/offers", as_csv(import_rows(ROWS)), "offers.csv")
        upload_id = _upload_id(started)
        page = clients.provider.get(f"/imports/offers/{upload_id}")
        assert page.status_code == 200 and "Checking every row" in page.text
        assert "reload it" in page.text and "job_progress.js" in page.text and 'data-reload-when-done="true"' in page.text
        upload = _upload_row(app, upload_id)
        assert upload.state == "checking"
        waiting = clients.provider.get(f"/jobs/{upload.check_job_id}/status").json
        assert (waiting["state"], waiting["done"], waiting["total"]) == ("queued", 0, ROWS)
        assert run_jobs() == 1
        checked = clients.provider.get(f"/jobs/{upload.check_job_id}/status").json
        assert (checked["state"], checked["done"], checked["total"]) == ("done", ROWS, ROWS)
        page = clients.provider.get(f"/imports/offers/{upload_id}")
        assert f"All {ROWS} rows are valid" in page.text and "Confirm import of 8 rows" in page.text
        assert "job_progress.js" not in page.text  # the check is over: nothing to follow
        assert _count(app, Offer) == 0  # the check saved nothing
        assert clients.provider.post(f"/imports/offers/{upload_id}/confirm").status_code == 302
        assert clients.provider.post(f"/imports/offers/{upload_id}/confirm").status_code == 302  # a second click
        upload = _upload_row(app, upload_id)
        assert upload.state == "applying" and upload.apply_job_id
        assert "Saving every row" in clients.provider.get(f"/imports/offers/{upload_id}").text
        assert [t.name for t in queue.huey.pending()] == ["jobs.import_apply"]  # one, not two
        run_jobs()
    done = clients.provider.get(f"/jobs/{upload.apply_job_id}/status").json
    assert (done["state"], done["done"], done["total"], done["percent"]) == ("done", ROWS, ROWS, 100)
    assert _count(app, Offer) == ROWS
    page = clients.provider.get(f"/imports/offers/{upload_id}")
    assert f"{ROWS} offers imported" in page.text
    with app.app_context():
        ids = db.session.scalars(select(Offer.id).order_by(Offer.id)).all()
    assert all(f"/offers/{i}" in page.text for i in ids)
    assert f"/imports/offers/{upload_id}" in clients.provider.get(f"/jobs/{upload.apply_job_id}").headers["Location"]
    assert f"/jobs/{upload.check_job_id}" in clients.provider.get("/jobs").text


def test_a_refused_large_import_reports_every_row_and_saves_nothing(app, clients):
    bad = import_rows(ROWS, {2: {"themes": "financing;not-a-theme"}, 6: {"capacity": "lots"}})
    upload_id = _upload_id(_upload(clients.provider, "/imports/offers", as_csv(bad), "offers.csv"))
    page = clients.provider.get(f"/imports/offers/{upload_id}")
    assert "Nothing was saved: 2 of 8 rows have problems" in page.text
    rows = re.findall(r'<tr><th scope="row">(\d+)</th><td><code>(\w+)</code>', page.text)
    assert ("4", "themes") in rows and ("8", "capacity") in rows
    assert "Confirm import" not in page.text
    assert clients.provider.post(f"/imports/offers/{upload_id}/confirm").status_code == 302
    assert "This import is not waiting for a confirmation." in clients.provider.get(f"/imports/offers/{upload_id}").text
    assert _count(app, Offer) == 0
    assert _upload_row(app, upload_id).apply_job_id is None


def test_a_small_file_is_still_answered_at_once(app, clients):
    response = _upload(clients.provider, "/imports/offers", as_csv(import_rows(5)), "offers.csv")
    assert response.status_code == 200 and "All 5 rows are valid" in response.text
    assert _count(app, ImportUpload) == 0


def test_a_large_requests_import_files_every_request_once(app, clients):
    upload_id = _upload_id(_upload(clients.coordinator, "/imports/requests",
                                   as_requests_csv(request_import_rows(ROWS)), "needs.csv"))
    assert f"All {ROWS} rows are valid" in clients.coordinator.get(f"/imports/requests/{upload_id}").text
    assert _count(app, AssistanceRequest) == 0
    clients.coordinator.post(f"/imports/requests/{upload_id}/confirm")
    page = clients.coordinator.get(f"/imports/requests/{upload_id}")
    assert f"{ROWS} requests imported and submitted for review" in page.text
    with app.app_context():
        statuses = db.session.scalars(select(AssistanceRequest.status)).all()
    assert len(statuses) == ROWS and set(statuses) == {"submitted"}


def test_a_large_iati_file_is_reconciled_by_a_job_and_the_chosen_rows_saved(app, clients):
    activities = [iati_activity(f"XM-DAC-41122-JOB-{n}") for n in range(ROWS - 1)]
    activities.append(iati_activity("XM-DAC-41122-JOB-BAD", countries=("ZZ",)))
    upload_id = _upload_id(_upload(clients.provider, "/imports/iati", iati_file(activities), "activities.xml"))
    page = clients.provider.get(f"/imports/iati/{upload_id}")
    assert page.status_code == 200 and 'id="iati-rows"' in page.text
    assert re.search(r'data-count="new">7<', page.text) and re.search(r'data-count="invalid">1<', page.text)
    assert _count(app, Offer) == 0
    # The invalid activity chosen: nothing is saved.
    clients.provider.post(f"/imports/iati/{upload_id}/confirm", data={"rows": [str(n) for n in range(1, ROWS + 1)]})
    page = clients.provider.get(f"/imports/iati/{upload_id}")
    assert 'id="iati-refused"' in page.text and _count(app, Offer) == 0
    # Again, leaving it out.
    upload_id = _upload_id(_upload(clients.provider, "/imports/iati", iati_file(activities), "activities.xml"))
    clients.provider.post(f"/imports/iati/{upload_id}/confirm", data={"rows": [str(n) for n in range(1, ROWS)]})
    page = clients.provider.get(f"/imports/iati/{upload_id}")
    assert 'id="iati-done"' in page.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Offer).where(Offer.iati_identifier.is_not(None))) == 7


def test_a_large_file_that_is_not_iati_is_refused_by_its_check(app, clients):
    data = b'<?xml version="1.0"?><something>' + b"<iati-activity/>" * 10 + b"</something>"
    upload_id = _upload_id(_upload(clients.provider, "/imports/iati", data, "activities.xml"))
    page = clients.provider.get(f"/imports/iati/{upload_id}")
    assert "This is not an IATI activity file" in page.text and "iati-rows" not in page.text
    assert _upload_row(app, upload_id).state == "refused"


def test_an_import_s_page_is_its_owner_s_and_the_admins_alone(app, clients):
    with queued_jobs():
        upload_id = _upload_id(_upload(clients.provider, "/imports/offers", as_csv(import_rows(ROWS)), "o.csv"))
        job_id = _upload_row(app, upload_id).check_job_id
        run_jobs()
        # Who sees the page and the progress: the provider who started it and the admins; the others are told
        # it does not exist (an importer of offers) or may not enter (a State).
        expected = {"provider": 200, "outside": 404, "coordinator": 404, "admin": 200, "state": 403}
        for person, status in expected.items():
            client = getattr(clients, person)
            assert client.get(f"/imports/offers/{upload_id}").status_code == status, person
            assert client.get(f"/jobs/{job_id}/status").status_code == (200 if status == 200 else 404), person
        assert clients.anonymous.get(f"/imports/offers/{upload_id}").status_code == 302
        # Nobody else confirms it, the admin neither (it would import as the provider): nothing is queued.
        for person in ("outside", "coordinator", "admin"):
            assert getattr(clients, person).post(f"/imports/offers/{upload_id}/confirm").status_code in (302, 404)
        assert clients.state.post(f"/imports/offers/{upload_id}/confirm").status_code == 403
        assert _upload_row(app, upload_id).state == "checked" and queue.huey.pending_count() == 0
        # Another kind's page does not show it.
        assert clients.provider.get(f"/imports/iati/{upload_id}").status_code == 404
        assert clients.coordinator.get(f"/imports/requests/{upload_id}").status_code == 404


def _confirmed(app, clients) -> ImportUpload:
    """A clean large offers import, confirmed, its apply job waiting in the queue."""
    upload_id = _upload_id(_upload(clients.provider, "/imports/offers", as_csv(import_rows(ROWS)), "o.csv"))
    run_jobs()
    clients.provider.post(f"/imports/offers/{upload_id}/confirm")
    return _upload_row(app, upload_id)


def test_the_apply_task_run_twice_imports_once(app, clients):
    with queued_jobs():
        upload = _confirmed(app, clients)
        task = queue.huey.dequeue()
        assert task.name == "jobs.import_apply" and task.args == (upload.key,)
        queue.huey.execute(task)
        queue.huey.execute(task)  # again: a worker that died before acknowledging, or two workers
    assert _count(app, Offer) == ROWS


def test_two_workers_applying_the_same_upload_at_once_import_once(app, clients):
    """Two threads run the apply job of one upload at the same moment: the claim on the upload's key lets one
    save the rows; the other finds it claimed (PostgreSQL: after the first commits; SQLite: the write lock)."""
    with queued_jobs():
        upload = _confirmed(app, clients)
        task = queue.huey.dequeue()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            queue.JOBS["jobs.import_apply"].func(upload.key, task=task)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert _count(app, Offer) == ROWS
    assert _upload_row(app, upload.id).state == "applied"


def test_an_admin_s_retry_of_a_finished_apply_imports_nothing_more(app, clients):
    upload = _confirmed(app, clients)  # JOBS_IMMEDIATE: saved at once
    assert _count(app, Offer) == ROWS
    with app.app_context():
        db.session.get(Job, upload.apply_job_id).state = "failed"  # as if the worker had died after its commit
        db.session.commit()
    assert clients.admin.post(f"/jobs/{upload.apply_job_id}/retry").status_code == 302
    with app.app_context():
        assert db.session.get(Job, upload.apply_job_id).state == "done"
    assert _count(app, Offer) == ROWS


def test_a_real_consumer_runs_both_jobs(app, clients):
    """A Huey consumer (worker threads, as `flask serve` and `flask jobs worker` start them) runs the check,
    then the apply, while the page is read."""
    import time

    from exchange.jobs.cli import start_consumer
    with queued_jobs():
        consumer = start_consumer(2)
        try:
            upload_id = _upload_id(_upload(clients.provider, "/imports/offers", as_csv(import_rows(ROWS)), "o.csv"))
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and _upload_row(app, upload_id).state == "checking":
                time.sleep(0.2)
            assert _upload_row(app, upload_id).state == "checked"
            clients.provider.post(f"/imports/offers/{upload_id}/confirm")
            while time.monotonic() < deadline and _upload_row(app, upload_id).state == "applying":
                time.sleep(0.2)
        finally:
            consumer.stop(graceful=True)
    assert _upload_row(app, upload_id).state == "applied"
    assert _count(app, Offer) == ROWS


def test_the_command_checks_then_saves_with_a_progress_bar(app, people, tmp_path):
    path = tmp_path / "needs.csv"
    path.write_bytes(as_requests_csv(request_import_rows(ROWS, {3: {"themes": "nothing"}})))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["jobs", "import", "requests", str(path), "--as", people.coordinator.email, "--save"])
    assert refused.exit_code == 1, refused.output
    assert "row 5, themes" in refused.output and "Nothing saved" in refused.output
    assert _count(app, AssistanceRequest) == 0
    path.write_bytes(as_requests_csv(request_import_rows(ROWS)))
    checked = runner.invoke(args=["jobs", "import", "requests", str(path), "--as", people.coordinator.email])
    assert checked.exit_code == 0, checked.output
    assert f"All {ROWS} rows are valid" in checked.output and _count(app, AssistanceRequest) == 0
    saved = runner.invoke(args=["jobs", "import", "requests", str(path), "--as", people.coordinator.email, "--save"])
    assert saved.exit_code == 0, saved.output
    assert f"Imported {ROWS} rows." in saved.output
    # Two progress bars (off a terminal click writes their labels only): the check's, then the apply's.
    assert len([line for line in saved.output.splitlines() if re.fullmatch(r"Job \d+", line)]) == 2
    assert _count(app, AssistanceRequest) == ROWS
