"""Live events: what happens to records, told within a second to the people who may see them.

- `events.py` notes, in the unit of work, every audit event, message and notification a transaction adds,
  and publishes them once it commits (nothing for a rollback): the one place every change passes through.
- `brokers.py` carries them between processes: an in-process broker (the embedded default) or Redis
  pub/sub (`EXCHANGE_EVENTS_URL=redis://…`), so that every web process hears what any process committed.
- `hub.py` is each process's listener: a ring of recent events (for `Last-Event-ID`), the open streams,
  and the access policy asked at delivery, per subscriber (`core.visibility.who_may_see`).
- `stream.py` writes the server-sent event stream (heartbeats, resume) that `api.py` (`GET /api/v1/events`,
  bearer token) and `views.py` (`/live/stream` and the polling fallback `/live/poll`, session cookie) serve.
"""
