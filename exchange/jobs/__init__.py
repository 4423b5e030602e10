"""Background work on a real job queue (Huey): e-mail, text vectors, subscriptions, reminders, digests,
backups and long exports. `queue.py` holds the queue and the `job` decorator (every area may define jobs
through it), `models.py` the jobs people watch or an admin must see (failed ones), `schedule.py` the
periodic work, `exports.py`, `imports.py` (large imports: the areas register theirs) and `backups.py` the long
jobs with progress, `views.py`, `import_views.py` and `cli.py` their pages and commands."""

# Every module that defines jobs: imported by the web app and by the worker, so that both know each job.
JOB_MODULES = ("exchange.messages.mail", "exchange.matching.refresh", "exchange.subscriptions.telling",
               "exchange.jobs.schedule", "exchange.jobs.exports", "exchange.jobs.imports",
               "exchange.offers.imports", "exchange.requests.imports", "exchange.reports.iati_import")


def load_jobs() -> None:
    import importlib

    for name in JOB_MODULES:
        importlib.import_module(name)
