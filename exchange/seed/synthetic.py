"""A synthetic office for trying the Exchange at scale: `flask seed synthetic --requests 100000 --offers 5000`.

Adds, to a database that holds the reference data, the demo people (`seed.demo`, loaded if missing) and
`n_requests` requests with `n_offers` offers of the approved providers, in realistic shares: request statuses
(REQUEST_STATUS_SHARES), one to three themes, every country, texts written in each of the six UN languages
(CONTENT_LANGUAGE_SHARES, `content_language` set), the three visibilities (restricted ones shared with a
provider or two), offers scoped to countries, regions or the world; matches in every status, consistent with
their request's status (a matched request has an accepted match, a completed one a completed match, an open
one sometimes a proposed or a declined one, never a live match for a draft or a triage case); messages on
some cases, notifications for the demo people, an audit event for each record created. The office's clock
(`clock_since`) runs where requests/clock.py says it would.

Rows go in through bulk Core inserts in batches, with a progress callback (the command draws a bar), in the
caller's transaction. The full-text index follows by itself: SQLite's FTS5 tables are kept by triggers and
PostgreSQL's is an expression index (core/search.py). Stored text vectors are not made (the matching engine
scores records without one by their lexicon; `flask matching embed` computes them). Ids continue after the
largest in each table and, on PostgreSQL, `fix_sequences` sets each table's sequence to its largest id, so the
next record made through the ORM gets a free id.

Refused (SyntheticRefused, nothing written) when the database has people other than the demo logins — a real
office — unless `force`; run again on a seeded database it adds as many more records again.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text

from exchange import audit
from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.statuses import MatchStatus, RequestStatus, Role
from exchange.matches.models import Match
from exchange.messages.models import Message, Notification
from exchange.offers.models import (
    Offer,
    offer_countries,
    offer_languages,
    offer_modalities,
    offer_regions,
    offer_themes,
)
from exchange.people.models import Organisation, User
from exchange.reference.models import Country, Modality, Region, Theme
from exchange.requests.models import (
    AssistanceRequest,
    request_languages,
    request_modalities,
    request_shares,
    request_themes,
)

# Shares of the requests' statuses (per cent), as a busy office's.
REQUEST_STATUS_SHARES = {"draft": 4, "submitted": 8, "in_review": 2, "needs_info": 3, "open": 35, "matched": 14,
                         "in_delivery": 10, "completed": 16, "rejected": 5, "withdrawn": 3}
# The language the records are written in: the six UN languages.
CONTENT_LANGUAGE_SHARES = {"en": 52, "fr": 16, "es": 12, "ru": 10, "ar": 7, "zh": 3}
VISIBILITY_SHARES = {"task_force": 60, "providers": 32, "restricted": 8}
OFFER_STATUS_SHARES = {"active": 85, "paused": 10, "closed": 5}
# The match a request in this status has (besides, sometimes, an earlier declined or withdrawn one).
MATCH_OF_REQUEST = {"matched": MatchStatus.ACCEPTED, "in_delivery": MatchStatus.IN_DELIVERY,
                    "completed": MatchStatus.COMPLETED}
BATCH = 2_000  # rows per INSERT … VALUES batch
CHUNK = 5_000  # requests generated, inserted and reported at a time

# A few words of each language to write titles and descriptions with (the full-text search and the
# language filters then behave as on real texts).
WORDS = {
    "en": ["ministry", "officials", "staff", "agency", "unit", "department", "regional", "provincial", "national",
           "coordination", "plan", "strategy", "policy", "procedures", "standard", "operating", "practices",
           "management", "oversight", "data", "information", "exchange", "cooperation", "partners", "months",
           "pilot", "phase", "mentoring", "sustainability", "inter-agency", "network", "quality", "review",
           "report", "recommendations", "priorities", "gaps", "challenges", "airport", "border", "port",
           "analysts", "inspectors", "officers", "trainers", "prosecutors", "judges", "investigators"],
    "fr": ["ministère", "agents", "personnel", "agence", "unité", "direction", "régional", "national",
           "coordination", "plan", "stratégie", "politique", "procédures", "normes", "pratiques", "gestion",
           "contrôle", "données", "échange", "coopération", "partenaires", "mois", "phase", "pilote",
           "accompagnement", "réseau", "qualité", "évaluation", "rapport", "recommandations", "priorités",
           "lacunes", "aéroport", "frontière", "port", "analystes", "inspecteurs", "formateurs", "magistrats",
           "enquêteurs", "procureurs"],
    "es": ["ministerio", "funcionarios", "personal", "agencia", "unidad", "departamento", "regional", "nacional",
           "coordinación", "plan", "estrategia", "política", "procedimientos", "normas", "prácticas", "gestión",
           "supervisión", "datos", "intercambio", "cooperación", "socios", "meses", "fase", "piloto", "tutoría",
           "red", "calidad", "evaluación", "informe", "recomendaciones", "prioridades", "brechas", "aeropuerto",
           "frontera", "puerto", "analistas", "inspectores", "formadores", "fiscales", "jueces", "investigadores"],
    "ru": ["министерство", "сотрудники", "персонал", "агентство", "подразделение", "департамент", "региональный",
           "национальный", "координация", "план", "стратегия", "политика", "процедуры", "стандарты", "практика",
           "управление", "надзор", "данные", "обмен", "сотрудничество", "партнёры", "месяцев", "этап",
           "наставничество", "сеть", "качество", "оценка", "доклад", "рекомендации", "приоритеты", "пробелы",
           "аэропорт", "граница", "порт", "аналитики", "инспекторы", "прокуроры", "судьи", "следователи"],
    "ar": ["وزارة", "مسؤولين", "موظفين", "وكالة", "وحدة", "إدارة", "إقليمي", "وطني", "تنسيق", "خطة",
           "استراتيجية", "سياسة", "إجراءات", "معايير", "ممارسات", "رقابة", "بيانات", "تبادل", "تعاون", "شركاء",
           "أشهر", "مرحلة", "تجريبية", "شبكة", "جودة", "تقييم", "تقرير", "توصيات", "أولويات", "ثغرات", "مطار",
           "حدود", "ميناء", "محللين", "مفتشين", "مدربين", "مدعين", "قضاة", "محققين"],
    "zh": ["部委", "官员", "工作人员", "机构", "单位", "部门", "区域", "国家", "协调", "计划", "战略", "政策",
           "程序", "标准", "做法", "管理", "监督", "数据", "信息", "交流", "合作", "伙伴", "个月", "阶段", "试点",
           "辅导", "网络", "质量", "评估", "报告", "建议", "优先事项", "差距", "机场", "边境", "港口", "分析员",
           "检查员", "培训员", "检察官", "法官", "调查员"],
}
ASKED = {"en": "support requested", "fr": "appui demandé", "es": "apoyo solicitado", "ru": "запрошена помощь",
         "ar": "طلب دعم", "zh": "请求援助"}
OFFERED = {"en": "programme", "fr": "programme", "es": "programa", "ru": "программа", "ar": "برنامج",
           "zh": "方案"}
URGENCY_SHARES = {"low": 20, "medium": 45, "high": 27, "critical": 8}

Progress = Callable[[int, int], None]


class SyntheticRefused(Exception):
    """Nothing was written: `reason` "no_reference" (no countries yet) or "real_office" (`people` people
    besides the demo logins). The command says it in the reader's language."""

    def __init__(self, reason: str, people: int = 0):
        super().__init__(reason)
        self.reason, self.people = reason, people


def _pick(rnd: random.Random, shares: dict) -> str:
    return rnd.choices(list(shares), list(shares.values()))[0]


def _text(rnd: random.Random, language: str, topics: list[str], words: int) -> str:
    pool = WORDS[language]
    chosen = rnd.sample(pool, min(words, len(pool)))
    sep = "" if language == "zh" else " "
    return sep.join(chosen[: words // 2] + topics + chosen[words // 2:]) + ("。" if language == "zh" else ".")


def real_people() -> int:
    """People other than the demo logins (a real office's accounts)."""
    from exchange.seed.demo import DEMO_USERS
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.email.not_in([email for email, *_ in DEMO_USERS]))) or 0


def fix_sequences() -> None:
    """PostgreSQL: each table's id sequence set to its largest id (rows inserted with explicit ids leave it
    behind), so the next insert that takes its id from the sequence gets a free one. SQLite needs nothing."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in (model.__tablename__ for model in (Offer, AssistanceRequest, Match, Message, Notification,
                                                    AuditEvent)):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"))


def seed_synthetic(n_requests: int, n_offers: int, seed: int = 7, force: bool = False,
                   progress: Progress | None = None) -> dict[str, int]:
    """Add the synthetic office (see the module's docstring) in the current transaction; returns the count of
    each kind of row added. `progress(done, total)` after each batch (total: requests + offers)."""
    if n_requests < 0 or n_offers < 1:
        raise ValueError("n_requests must be 0 or more and n_offers 1 or more")
    if not db.session.scalar(select(func.count()).select_from(Country)):
        raise SyntheticRefused("no_reference")
    if not force and (people := real_people()):
        raise SyntheticRefused("real_office", people)
    from exchange.seed.demo import load_demo
    load_demo()  # the demo people (idempotent), so that the demo logins sign in to the seeded office
    db.session.flush()
    return _Generator(random.Random(seed), progress).run(n_requests, n_offers)


class _Generator:
    def __init__(self, rnd: random.Random, progress: Progress | None):
        self.rnd, self.progress = rnd, progress or (lambda done, total: None)
        self.now = utcnow().replace(microsecond=0)
        self.counts: dict[str, int] = {}
        s = db.session
        self.themes = dict(s.execute(select(Theme.code, Theme.name)).all())
        self.theme_codes = sorted(self.themes)
        self.modalities = list(s.scalars(select(Modality.code).order_by(Modality.code)))
        self.countries = list(s.scalars(select(Country.iso3).order_by(Country.iso3)))
        self.regions = list(s.scalars(select(Region.code).order_by(Region.code)))
        self.state_org = dict(s.execute(select(Organisation.country_iso3, Organisation.id).where(
            Organisation.kind == "member_state")).all())
        self.countries = [c for c in self.countries if c in self.state_org]
        self.providers = list(s.scalars(select(Organisation.id).where(
            Organisation.kind.in_(("task_force_entity", "outside_provider")),
            Organisation.approval == "approved").order_by(Organisation.id)))
        people = s.execute(select(User.id, User.role, User.organisation_id).where(User.active.is_(True))).all()
        self.coordinators = [u for u, role, _ in people if role == Role.COORDINATOR] or [None]
        self.focal = {org: u for u, role, org in people if role == Role.MEMBER_STATE}
        self.officers = {org: u for u, role, org in people if role == Role.PROVIDER}
        self.demo_people = [u for u, *_ in people]
        self.offer_statuses: list[str] = []

    def _ids(self, model) -> int:
        return (db.session.scalar(select(func.max(model.id))) or 0) + 1

    def _audit(self, events: list[dict]) -> None:
        """The audit events, through the audit trail's own bulk writer (it alone adds them)."""
        for start in range(0, len(events), BATCH):
            audit.record_many(events[start:start + BATCH])
        self.counts[AuditEvent.__tablename__] = self.counts.get(AuditEvent.__tablename__, 0) + len(events)

    def _bulk(self, table, rows: list[dict]) -> None:
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(table), rows[start:start + BATCH])
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def run(self, n_requests: int, n_offers: int) -> dict[str, int]:
        total = n_requests + n_offers
        self.first_offer = self._ids(Offer)
        for start in range(0, n_offers, CHUNK):
            self._offers(self.first_offer + start, min(CHUNK, n_offers - start))
            self.progress(min(start + CHUNK, n_offers), total)
        self.offer_ids = list(range(self.first_offer, self.first_offer + n_offers))
        self.live_offers = [i for i, status in zip(self.offer_ids, self.offer_statuses) if status == "active"] \
            or self.offer_ids
        self.next_match, self.next_message = self._ids(Match), self._ids(Message)
        first_request = self._ids(AssistanceRequest)
        for start in range(0, n_requests, CHUNK):
            self._requests(first_request + start, min(CHUNK, n_requests - start))
            self.progress(n_offers + min(start + CHUNK, n_requests), total)
        self._notifications(first_request, n_requests)
        fix_sequences()
        # the rows went in past the ORM, so the report summary (kept by the ORM's flushes) is recounted
        from exchange.reports.summary import rebuild_all
        rebuild_all()
        return self.counts

    # -- offers -------------------------------------------------------------------------------------
    def _offers(self, first: int, n: int) -> None:
        rnd, rows, events = self.rnd, [], []
        links = {t: [] for t in ("themes", "modalities", "languages", "countries", "regions")}
        for i in range(first, first + n):
            language = _pick(rnd, CONTENT_LANGUAGE_SHARES)
            chosen = rnd.sample(self.theme_codes, rnd.randint(1, 3))
            topics = [self.themes[t].lower() for t in chosen] if language == "en" else []
            org = rnd.choice(self.providers)
            status = _pick(rnd, OFFER_STATUS_SHARES)
            self.offer_statuses.append(status)
            created = self.now - timedelta(days=rnd.randint(0, 700), minutes=rnd.randint(0, 1440))
            start = (created + timedelta(days=rnd.randint(0, 60))).date()
            rows.append({
                "id": i, "organisation_id": org, "created_by_id": self.officers.get(org), "title":
                f"{self.themes[chosen[0]]}: {OFFERED[language]} {i}", "description":
                _text(rnd, language, topics, 30), "contact_name": "", "contact_email": "",
                "available_from": start, "available_until": start + timedelta(days=rnd.randint(90, 720))
                if rnd.random() < 0.6 else None, "capacity": rnd.choice((None, None, None, 10, 20)),
                "budget_usd": rnd.choice((None, 50_000, 120_000, 400_000)), "status": status, "version": 1,
                "created_at": created, "updated_at": created, "content_language": language})
            links["themes"] += [{"offer_id": i, "theme_code": t} for t in chosen]
            links["modalities"] += [{"offer_id": i, "modality_code": m} for m in rnd.sample(self.modalities, 2)]
            links["languages"] += [{"offer_id": i, "language_code": x} for x in
                                   {language, *rnd.sample(list(CONTENT_LANGUAGE_SHARES), 1)}]
            place = rnd.random()
            if place < 0.4:
                links["countries"] += [{"offer_id": i, "country_iso3": c} for c in rnd.sample(self.countries, 3)]
            elif place < 0.8:
                links["regions"] += [{"offer_id": i, "region_code": rnd.choice(self.regions)}]
            events.append({"at": created, "actor_id": self.officers.get(org), "action": "offer.created",
                           "record_type": "offer", "record_id": i, "summary": f"O-{i:05d} created", "changes": {}})
        self._bulk(Offer.__table__, rows)
        for name, table in (("themes", offer_themes), ("modalities", offer_modalities),
                            ("languages", offer_languages), ("countries", offer_countries),
                            ("regions", offer_regions)):
            self._bulk(table, links[name])
        self._audit(events)

    # -- requests, their matches and conversations --------------------------------------------------
    def _requests(self, first: int, n: int) -> None:
        rnd, rows, events, matches, messages = self.rnd, [], [], [], []
        links = {t: [] for t in ("themes", "modalities", "languages", "shares")}
        for j in range(first, first + n):
            iso3, status = rnd.choice(self.countries), _pick(rnd, REQUEST_STATUS_SHARES)
            org = self.state_org[iso3]
            author = self.focal.get(org) or rnd.choice(self.coordinators)
            language = _pick(rnd, CONTENT_LANGUAGE_SHARES)
            chosen = rnd.sample(self.theme_codes, rnd.randint(1, 2))
            topics = [self.themes[t].lower() for t in chosen] if language == "en" else []
            visibility = _pick(rnd, VISIBILITY_SHARES)
            created = self.now - timedelta(days=rnd.randint(1, 720), minutes=rnd.randint(0, 1440))
            submitted = None if status == "draft" else created + timedelta(hours=rnd.randint(1, 72))
            accepted = submitted + timedelta(days=rnd.randint(1, 20)) if status in RequestStatus.ACCEPTED else None
            changed = accepted or submitted or created
            if status in ("rejected", "withdrawn", "needs_info", "in_review"):
                changed = submitted + timedelta(days=rnd.randint(1, 15))
            match_status = MATCH_OF_REQUEST.get(status)
            proposed = None
            if status == "open":
                proposed = rnd.choices((None, MatchStatus.PROPOSED, MatchStatus.DECLINED, MatchStatus.WITHDRAWN),
                                      (58, 28, 10, 4))[0]
            waits_on_provider = proposed == MatchStatus.PROPOSED
            clock_runs = status in ("submitted", "in_review") or (status == "open" and not waits_on_provider)
            desired = (created + timedelta(days=rnd.randint(30, 200))).date() if rnd.random() < 0.5 else None
            rows.append({
                "id": j, "organisation_id": org, "country_iso3": iso3, "created_by_id": author,
                "title": f"{self.themes[chosen[0]]}: {ASKED[language]} ({j})",
                "description": _text(rnd, language, topics, 40), "beneficiary": "National unit",
                "urgency": _pick(rnd, URGENCY_SHARES), "desired_start": desired,
                "desired_end": desired + timedelta(days=rnd.randint(30, 365)) if desired else None,
                "estimated_budget_usd": rnd.choice((None, None, 25_000, 80_000, 250_000)),
                "visibility": visibility, "status": status, "version": 1,
                "status_note": "Outside the Task Force's technical assistance." if status == "rejected" else "",
                "created_at": created, "updated_at": changed, "submitted_at": submitted, "accepted_at": accepted,
                "status_changed_at": changed, "content_language": language,
                "owner_id": rnd.choice(self.coordinators) if status != "draft" and rnd.random() < 0.5 else None,
                "clock_days": rnd.randint(0, 12) if status not in ("draft", "submitted") else 0,
                "clock_since": changed if clock_runs else None,
                "publish_summary": status in RequestStatus.ACCEPTED and rnd.random() < 0.2})
            links["themes"] += [{"request_id": j, "theme_code": t} for t in chosen]
            links["modalities"] += [{"request_id": j, "modality_code": m}
                                    for m in rnd.sample(self.modalities, rnd.randint(1, 2))]
            links["languages"] += [{"request_id": j, "language_code": x}
                                   for x in {language, *rnd.sample(list(CONTENT_LANGUAGE_SHARES), rnd.randint(0, 1))}]
            if visibility == "restricted":
                links["shares"] += [{"request_id": j, "organisation_id": o}
                                    for o in rnd.sample(self.providers, rnd.randint(1, 2))]
            events.append({"at": created, "actor_id": author, "action": "request.created", "record_type": "request",
                           "record_id": j, "summary": f"R-{j:05d} created", "changes": {}})
            offers = rnd.sample(self.live_offers, min(2, len(self.live_offers)))
            if match_status or proposed:
                if match_status and rnd.random() < 0.15 and len(offers) > 1:  # an earlier one declined
                    matches.append(self._match(j, offers[1], MatchStatus.DECLINED, accepted))
                matches.append(self._match(j, offers[0], match_status or proposed, accepted))
            if status != "draft" and rnd.random() < 0.1:
                for k in range(rnd.randint(1, 3)):
                    messages.append({"id": self.next_message, "request_id": j, "match_id": None,
                                     "author_id": author if k % 2 == 0 else rnd.choice(self.coordinators),
                                     "body": _text(rnd, language, [], 12), "content_language": language,
                                     "created_at": submitted + timedelta(days=k + 1), "audience": "everyone"})
                    self.next_message += 1
        self._bulk(AssistanceRequest.__table__, rows)
        for name, table in (("themes", request_themes), ("modalities", request_modalities),
                            ("languages", request_languages), ("shares", request_shares)):
            self._bulk(table, links[name])
        self._bulk(Match.__table__, matches)
        self._bulk(Message.__table__, messages)
        self._audit(events)

    def _match(self, request_id: int, offer_id: int, status: MatchStatus, accepted: datetime | None) -> dict:
        rnd = self.rnd
        proposed = (accepted or self.now - timedelta(days=60)) + timedelta(days=rnd.randint(1, 20))
        proposed = min(proposed, self.now - timedelta(hours=1))
        busy = status in (MatchStatus.ACCEPTED, MatchStatus.IN_DELIVERY, MatchStatus.COMPLETED)
        started = proposed + timedelta(days=rnd.randint(5, 30)) if status in MatchStatus.DELIVERY else None
        completed = started + timedelta(days=rnd.randint(20, 200)) if status == MatchStatus.COMPLETED else None
        changed = completed or started or (proposed + timedelta(days=3) if status != MatchStatus.PROPOSED
                                           else proposed)
        row = {"id": self.next_match, "request_id": request_id, "offer_id": offer_id,
               "proposed_by_id": rnd.choice(self.coordinators), "note": "", "status": status,
               "score": round(rnd.uniform(0.35, 0.95), 3), "decline_reason": "Not within this year's plan."
               if status == MatchStatus.DECLINED else "", "outcome": "Delivered as planned." if completed else "",
               "rating": rnd.randint(3, 5) if completed and rnd.random() < 0.6 else None, "feedback": "",
               "version": 1, "created_at": proposed, "updated_at": changed, "status_changed_at": changed,
               "accepted_at": proposed + timedelta(days=3) if busy else None, "started_at": started,
               "completed_at": completed, "confirmed_at": completed + timedelta(days=10)
               if completed and rnd.random() < 0.5 else None, "lessons": "", "selection_reasons": None}
        self.next_match += 1
        return row

    def _notifications(self, first_request: int, n_requests: int) -> None:
        """Some notifications for each demo person (one for every 20 requests in all), most of them read."""
        if not n_requests or not self.demo_people:
            return
        rnd, rows, first = self.rnd, [], self._ids(Notification)
        for k in range(max(1, n_requests // 20)):
            j = first_request + rnd.randrange(n_requests)
            at = self.now - timedelta(days=rnd.randint(0, 90), minutes=rnd.randint(0, 1440))
            rows.append({"id": first + k, "user_id": rnd.choice(self.demo_people), "at": at,
                         "kind": "request.submitted", "message": f"R-{j:05d} was submitted.", "params": None,
                         "record_type": "request", "record_id": j,
                         "read_at": at + timedelta(hours=2) if rnd.random() < 0.7 else None})
        self._bulk(Notification.__table__, rows)
