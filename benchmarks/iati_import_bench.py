"""IATI in at size: python benchmarks/iati_import_bench.py [--activities 5000]

Writes a generated IATI 2.03 file of N activities (each about as large as a real one: title, description,
participating organisation, dates, contact, two recipient countries, a sector, a budget) to a scratch folder,
then over a scratch SQLite database with the reference data and one UNODC provider:
1. streams it with `read_activities` (iterparse, schema check per activity), counting only, then without the
   schema check, then keeping every activity read (what the preview keeps);
2. parses the whole file at once with lxml (what streaming avoids), for comparison;
3. reconciles the first --reconcile activities (the preview: each through the offer rules in a SAVEPOINT, all
   rolled back).
For each: wall time, the peak Python memory (tracemalloc: Python objects only) and how much the process's
peak resident memory grew (ru_maxrss: lxml's C memory too; a stage that stays under an earlier peak shows 0).
Then, each in a fresh process so that its peak resident memory is its own: streaming the file through
`read_activities` against parsing it whole with lxml (`--stage stream|parse FILE` runs one of them).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def generated_file(path: Path, count: int) -> None:
    from tests.factories import iati_activity
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" '
                  'generated-datetime="2026-06-01T00:00:00Z">\n')
        for n in range(count):
            out.write(iati_activity(f"XM-DAC-41122-BENCH-{n}", title=f"Programme {n}: analysts' training on "
                                    "terrorist financing", countries=("KZ", "TJ"),
                                    description="Two-week courses for financial intelligence analysts on "
                                                "terrorist financing typologies, suspicious transaction reports "
                                                f"and asset freezing, with mentoring visits (cohort {n})."))
            out.write("\n")
        out.write("</iati-activities>\n")


def _max_rss_mb() -> float:
    """The process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measured(label: str, work):
    rss_before = _max_rss_mb()
    tracemalloc.start()
    began = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - began
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<48} {seconds:8.2f} s   Python peak {peak / 1e6:7.1f} MB   max RSS +{_max_rss_mb() - rss_before:6.1f} MB")
    return result, seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activities", type=int, default=5000)
    parser.add_argument("--reconcile", type=int, default=500, help="how many activities to reconcile")
    parser.add_argument("--stage", choices=["stream", "parse"], help="run one stage on --file, print its max RSS")
    parser.add_argument("--stages-only", action="store_true", help="only the two fresh-process stages")
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.stage:
        return one_stage(args.stage, args.file)
    folder = Path(tempfile.mkdtemp(prefix="iati-bench-"))
    path = folder / "activities.xml"
    generated_file(path, args.activities)
    print(f"file: {args.activities} activities, {path.stat().st_size / 1e6:.1f} MB")
    if args.stages_only:
        return fresh_stages(path)

    import os
    os.environ.setdefault("EXCHANGE_MATCHING_EMBEDDER", "fake")
    from flask_migrate import upgrade
    from lxml import etree

    from exchange.app import create_app
    from exchange.core.extensions import db
    from exchange.reference.seed import load_reference
    from exchange.reports import iati_import
    from tests.factories import make_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3", "SECRET_KEY": "bench",
                      "TESTING": True, "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context(), app.test_request_context():
        upgrade()
        load_reference()
        user = make_user("bench@unodc.example.org", "provider", "UNODC")
        db.session.commit()

        print(f"max RSS at start: {_max_rss_mb():.1f} MB")
        _, read_seconds, _ = measured("streamed + schema check, counting",
                                      lambda: sum(1 for _ in iati_import.read_activities(str(path))))
        _, plain_seconds, _ = measured("streamed, no schema check, counting",
                                       lambda: sum(1 for _ in iati_import.read_activities(str(path),
                                                                                         validate=False)))
        activities, _, _ = measured("streamed + schema check, keeping every activity",
                                    lambda: list(iati_import.read_activities(str(path))))
        measured("whole file parsed at once (lxml.parse)", lambda: len(etree.parse(str(path)).getroot()))
        subset = activities[:args.reconcile]
        result, rec_seconds, _ = measured(f"reconciled {len(subset)} (preview, rolled back)",
                                          lambda: iati_import.reconcile(user, user.organisation, subset))
        print(f"counts: {result.counts}")
        print(f"per activity: read with schema check {1000 * read_seconds / len(activities):.2f} ms "
              f"({read_seconds / max(plain_seconds, 1e-9):.1f}x plain streaming), reconcile "
              f"{1000 * rec_seconds / len(subset):.1f} ms")
    return fresh_stages(path)


def fresh_stages(path: Path) -> int:
    import subprocess
    for stage in ("stream", "parse"):
        out = subprocess.run([sys.executable, __file__, "--stage", stage, "--file", str(path)], check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        print(out)
    return 0


def one_stage(stage: str, path: Path) -> int:
    import logging
    import os
    logging.disable(logging.INFO)
    os.environ.setdefault("EXCHANGE_MATCHING_EMBEDDER", "fake")
    began = time.perf_counter()
    if stage == "parse":
        from lxml import etree
        count = len(etree.parse(str(path)).getroot())
    else:
        from flask_migrate import upgrade

        from exchange.app import create_app
        from exchange.reference.seed import load_reference
        from exchange.reports import iati_import
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path.parent}/stream.sqlite3", "SECRET_KEY": "b",
                          "TESTING": True, "RATELIMIT_STORAGE_URI": "memory://"})
        with app.app_context(), app.test_request_context():
            upgrade()
            load_reference()
            base = _max_rss_mb()
            began = time.perf_counter()
            count = sum(1 for _ in iati_import.read_activities(str(path)))
            grown = _max_rss_mb() - base
            print(f"stage stream: {count} activities in {time.perf_counter() - began:.2f} s, max RSS "
                  f"{base + grown:.1f} MB (+{grown:.1f} MB over the app's own {base:.1f} MB)")
            return 0
    print(f"stage parse: {count} activities in {time.perf_counter() - began:.2f} s, max RSS "
          f"{_max_rss_mb():.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
