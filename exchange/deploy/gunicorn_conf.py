"""gunicorn's settings for the Exchange, for the pages' live streams: `gunicorn -c python:exchange.deploy.gunicorn_conf
wsgi:app` (options on the command line win over these).

A server-sent event stream holds its connection for minutes. gunicorn's default sync worker serves one
connection at a time, so one open page would take a whole worker: the threaded worker (`gthread`) serves each
connection on a thread of its own, and GUNICORN_THREADS (32) threads a process hold that many streams and
requests at once. The app takes at most EXCHANGE_LIVE_MAX_STREAMS streams a process (set here to the threads
less 8, kept for ordinary requests); a page turned away (503) polls instead. `timeout` is the worker's
heartbeat to the master under gthread, not a request's length, so a stream outlives it; heartbeats every 15 s
keep the stream through proxies (set the proxy's read timeout above 15 s, and turn its buffering off:
`proxy_buffering off` in nginx, or the `X-Accel-Buffering: no` the stream sends).
"""
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
timeout = 30
graceful_timeout = 10   # a restart drops open streams after this; the pages reconnect by themselves
keepalive = 5
os.environ.setdefault("EXCHANGE_LIVE_MAX_STREAMS", str(max(1, threads - 8)))
