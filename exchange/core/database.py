"""Engine set-up that the ORM cannot express: SQLite pragmas and write transactions.

SQLite runs with foreign keys on, WAL and a busy timeout. Write transactions of web
requests (POST, PATCH…) begin with `BEGIN IMMEDIATE`, so that a read-then-write transaction waits
for the lock instead of failing at once under concurrent writers (the SQLAlchemy SQLite dialect's
documented recipe). Safe methods (GET, HEAD, OPTIONS) and work outside a web request (commands,
tests) begin deferred transactions, which in WAL mode never block a writer while they only read.
"""
from __future__ import annotations

from flask import Flask, has_request_context, request
from sqlalchemy import event

from exchange.core.extensions import db

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_sqlite(app: Flask) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def bind_database(app: Flask) -> None:
    if not is_sqlite(app):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if has_request_context() and request.method not in SAFE_METHODS:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
