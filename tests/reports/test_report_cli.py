"""`flask exports write|iati|progress|import-offers`: the same exports and imports from the command line."""
from __future__ import annotations

import csv
from datetime import date

from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.offers.models import Offer
from tests.factories import as_csv, import_rows
from tests.helpers import pdf_text


def test_export_write_respects_the_user_and_filters(app, people, scenario, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "requests.csv"
    result = runner.invoke(args=["exports", "write", "requests", "--as", people.state.email, "--filter",
                                 "status=open", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [int(r["id"]) for r in lines] == [scenario.ids["r_open"]]
    refused = runner.invoke(args=["exports", "write", "audit", "--as", people.state.email, "--out", str(out)])
    assert refused.exit_code != 0 and "Task Force office" in refused.output


def test_import_offers_command_is_all_or_nothing(app, people, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(as_csv(import_rows(4, {2: {"themes": ""}})))
    result = runner.invoke(args=["exports", "import-offers", str(bad), "--as", people.provider.email])
    assert result.exit_code != 0 and "row 4, themes" in result.output
    good = tmp_path / "good.csv"
    good.write_bytes(as_csv(import_rows(4)))
    assert runner.invoke(args=["exports", "import-offers", str(good), "--as", people.provider.email,
                               "--dry-run"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Offer)) == 0
    result = runner.invoke(args=["exports", "import-offers", str(good), "--as", people.provider.email])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Offer)) == 4


def test_progress_pdf_command(app, people, scenario, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "progress.pdf"
    today = date.today().isoformat()
    result = runner.invoke(args=["exports", "progress", "--as", people.coordinator.email, "--start", today,
                                 "--end", today, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-") and "Requests received (submitted)" in pdf_text(out.read_bytes())
    refused = runner.invoke(args=["exports", "progress", "--as", people.state.email, "--start", today,
                                  "--end", today, "--out", str(tmp_path / "state.pdf")])
    assert refused.exit_code != 0 and "Task Force office" in refused.output
    backwards = runner.invoke(args=["exports", "progress", "--as", people.coordinator.email, "--start", today,
                                    "--end", "2020-01-01", "--out", str(tmp_path / "backwards.pdf")])
    assert backwards.exit_code != 0 and "before the start" in backwards.output
    assert not (tmp_path / "state.pdf").exists() and not (tmp_path / "backwards.pdf").exists()
