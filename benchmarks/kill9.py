"""kill -9 under load: python benchmarks/kill9.py [--rounds 20] [--writers 4] [--postgres URL]

Serves the Exchange with gunicorn (2 sync workers) on 127.0.0.1 (a free port) over a scratch SQLite file,
and with --postgres URL afterwards over that PostgreSQL database too (its schema `public` is dropped and
rebuilt first: give it a scratch database). Writer clients file requests through the JSON API with a
Member State's token and record every write the server acknowledged (201 with its id). Meanwhile, in each
round a worker is killed with SIGKILL (the master starts another); every --master-every rounds the master
is killed too, with its workers (a crash of the whole service), and gunicorn is started again. Then the
server is stopped and the database checked: every acknowledged request is there with its title, each
request row has its creation audit event (no half-made write), and SQLite's `PRAGMA integrity_check`
answers ok. Prints the figures (acknowledged, found, lost, errors the clients saw by kind); exits 1 if a
write was lost or a check failed. Only loopback; bounded by --rounds and --max-seconds.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from exchange.people.operations import create_user
from exchange.people.tokens import issue_api_token

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
BODY = {"description": "Border guards need training to detect forged travel documents at the airports.",
        "themes": ["border-management"], "modalities": ["training"], "languages": ["ru"], "urgency": "high"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def prepare_database(url: str) -> str:
    """Schema by the migrations, reference data, one Member State user; returns an API token for them."""
    from sqlalchemy import create_engine, text

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    from flask_migrate import upgrade

    from exchange.app import create_app
    from exchange.core.extensions import db
    from exchange.reference.seed import load_reference
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "kill9-" + "x" * 40})
    with app.app_context():
        upgrade()
        load_reference()
        import secrets
        user = create_user(None, {"email": "focal@kaz.kill9.example", "role": "member_state",
                                  "organisation": "KAZ", "password": secrets.token_urlsafe(24)})
        token = issue_api_token(None, user, {"name": "kill9"})
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return token


class Server:
    """gunicorn with 2 sync workers; kill() and start() as the rounds need."""

    def __init__(self, url: str, port: int, log: Path):
        self.url, self.port, self.log = url, port, log
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        env = {**os.environ, "EXCHANGE_DATABASE_URL": self.url, "EXCHANGE_SECRET_KEY": "kill9-" + "y" * 40,
               "EXCHANGE_UPLOAD_FOLDER": str(self.log.parent / "uploads"),
               # no text embedding after commit: the runs measure the writes alone, as before stored vectors
               "EXCHANGE_MATCHING_EMBED_AFTER_COMMIT": os.environ.get("EXCHANGE_MATCHING_EMBED_AFTER_COMMIT", "off")}
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"{HOST}:{self.port}",
                 "--timeout", "30", "--graceful-timeout", "5", "--preload", "--no-control-socket",
                 "--chdir", str(ROOT), "wsgi:app"],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if len(self.workers()) == 2 and self._answers():
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start; see {self.log}")

    def _answers(self) -> bool:
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def workers(self) -> list[int]:
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def kill_worker(self) -> bool:
        workers = self.workers()
        if not workers:
            return False
        os.kill(random.choice(workers), signal.SIGKILL)
        return True

    def kill_all(self) -> None:
        """SIGKILL to the master and then to its workers: nothing gets to finish or clean up."""
        assert self.process is not None
        workers = self.workers()
        os.kill(self.process.pid, signal.SIGKILL)
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        self._wait_port_free()

    def _wait_port_free(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is fine
                try:
                    s.bind((HOST, self.port))
                    return
                except OSError:
                    time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Writers:
    """Clients filing requests until stopped; `acknowledged` maps request id → title."""

    def __init__(self, port: int, token: str, count: int):
        self.port, self.token = port, token
        self.acknowledged: dict[int, str] = {}
        self.errors: Counter = Counter()
        self.attempts = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(count)]

    def _run(self, number: int) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            title = f"Kill nine writer {number} write {n}"
            error, request_id = self._write(title)
            with self._lock:
                self.attempts += 1
                if request_id is not None:
                    self.acknowledged[request_id] = title
                else:
                    self.errors[error] += 1
            if error:
                time.sleep(0.05)  # the server is down or restarting: do not spin

    def _write(self, title: str) -> tuple[str, int | None]:
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=15)
            conn.request("POST", "/api/v1/requests", body=json.dumps({**BODY, "title": title}),
                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
            response = conn.getresponse()
            data = response.read()
            conn.close()
        except ConnectionRefusedError:
            return "connection refused", None
        except (ConnectionResetError, http.client.RemoteDisconnected, http.client.IncompleteRead, BrokenPipeError):
            return "connection reset (worker killed mid-request)", None
        except http.client.HTTPException as err:
            return f"broken response: {type(err).__name__}", None
        except TimeoutError:
            return "timeout", None
        except OSError as err:
            return f"other network error: {type(err).__name__}", None
        if response.status == 201:
            return "", json.loads(data)["id"]
        return f"HTTP {response.status}", None

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)


def check_database(url: str, acknowledged: dict[int, str]) -> dict:
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, title FROM assistance_requests")).all())
        created = set(conn.scalars(text("SELECT record_id FROM audit_events WHERE action = 'request.created'")))
    engine.dispose()
    lost = [i for i, title in acknowledged.items() if rows.get(i) != title]
    integrity = "not applicable (PostgreSQL)"
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        conn.close()
    return {"rows": len(rows), "found": len(acknowledged) - len(lost), "lost": len(lost),
            "unacknowledged_but_present": len(set(rows) - set(acknowledged)),
            "without_audit_event": len(set(rows) - created), "integrity": integrity}


def run(url: str, label: str, rounds: int, writers: int, master_every: int, max_seconds: float,
        workdir: Path) -> bool:
    started = time.monotonic()
    token = prepare_database(url)
    port = free_port()
    server = Server(url, port, workdir / f"gunicorn-{label}.log")
    server.start()
    clients = Writers(port, token, writers)
    clients.start()
    worker_kills = master_kills = 0
    rnd = random.Random(9)
    try:
        for number in range(1, rounds + 1):
            if time.monotonic() - started > max_seconds:
                print(f"  stopped after {number - 1} rounds: --max-seconds {max_seconds:.0f} reached")
                break
            time.sleep(rnd.uniform(0.6, 1.4))  # let load build up
            worker_kills += server.kill_worker()
            if master_every and number % master_every == 0:
                time.sleep(rnd.uniform(0.2, 0.6))
                server.kill_all()
                master_kills += 1
                time.sleep(0.3)  # clients see the service down
                server.start()
        time.sleep(1.0)
    finally:
        clients.stop()
        server.stop()
    figures = check_database(url, clients.acknowledged)
    elapsed = time.monotonic() - started
    ok = figures["lost"] == 0 and figures["without_audit_event"] == 0 and figures["integrity"] in (
        "ok", "not applicable (PostgreSQL)")
    print(f"{label}: {elapsed:.1f} s, {writers} writers, gunicorn 2 workers, {worker_kills} workers and "
          f"{master_kills} masters killed with SIGKILL ({server.starts - 1} restarts)")
    print(f"  writes attempted {clients.attempts}, acknowledged {len(clients.acknowledged)}, "
          f"found {figures['found']}, lost {figures['lost']}")
    print(f"  requests in the database {figures['rows']} (written but never acknowledged: "
          f"{figures['unacknowledged_but_present']}); without their creation audit event: "
          f"{figures['without_audit_event']}; integrity check: {figures['integrity']}")
    errors = ", ".join(f"{kind} {n}" for kind, n in clients.errors.most_common()) or "none"
    print(f"  errors seen by clients: {sum(clients.errors.values())} ({errors})")
    print(f"  {'PASS' if ok else 'FAIL'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="worker kills (default 20)")
    parser.add_argument("--master-every", type=int, default=4, help="kill the master too every N rounds (0: never)")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=75, help="per engine, including restarts")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (database, gunicorn logs)")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL database (schema dropped)")
    args = parser.parse_args(argv)
    ok = True
    workdir = Path(tempfile.mkdtemp(prefix="exchange-kill9-"))
    try:
        runs = [(f"sqlite:///{workdir / 'kill9.sqlite3'}", "SQLite")]
        if args.postgres:
            runs.append((args.postgres, "PostgreSQL"))
        for url, label in runs:
            ok &= run(url, label, args.rounds, args.writers, args.master_every, args.max_seconds, workdir)
    finally:
        if args.keep:
            print(f"  files kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
