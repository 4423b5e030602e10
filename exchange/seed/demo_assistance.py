"""Demo requests, offers and matches: a realistic exchange with something to do for every demo login.

Written from the kinds of assistance in the Task Force's documents (terrorist financing and FIUs, border
management and travel documents, WMD export controls, legislative drafting, criminal justice, victims,
radicalization, the Internet, aviation security, human rights). Requests come from the demo States (KAZ,
NGA, TJK, PER, JOR) and, filed by the coordinator, from other States; offers from Task Force entities and
the approved outside provider. Everything goes through the operations, so audit events and notifications
exist as they would in real use; afterwards the records' own dates are spread over the past months. The
demo texts are written in English, and their records say so (content_language).
`load()` does nothing when the database already has assistance requests.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.statuses import Role
from exchange.matches.delivery import add_funding, add_result, comment_result, edit_lessons
from exchange.matches.operations import match_move, propose_match
from exchange.offers.operations import create_offer, offer_move
from exchange.people.models import User
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import create_request, request_move

COORDINATOR = "coordinator@ctitf.demo.example"


def _state(iso3: str) -> str:
    return f"focal@{iso3.lower()}.demo.example"


def _provider(code: str) -> str:
    return f"officer@{code}.demo.example"


# key: (filed by — a State's focal point, or the coordinator for another State), fields, moves to make after
# filing (action, who, body), days ago it was filed.
REQUESTS = [
    ("kaz_fiu", _state("KAZ"), {
        "title": "Terrorist-financing analysis for the Financial Monitoring Agency",
        "description": "The Financial Monitoring Agency receives a growing number of suspicious transaction reports "
                       "linked to foreign terrorist fighters returning through Central Asia. Its analysts need "
                       "training on terrorist-financing typologies, strategic analysis and the exchange of "
                       "financial intelligence with foreign FIUs through the Egmont Group channels.",
        "themes": ["financing"], "modalities": ["training", "expert-advice"], "languages": ["ru", "en"],
        "urgency": "high", "beneficiary": "Financial Monitoring Agency (FIU)", "estimated_budget_usd": 85000,
        "desired_start": -240, "desired_end": -90}, [("accept", COORDINATOR, {})], 280),
    ("kaz_border", _state("KAZ"), {
        "title": "Detecting forged travel documents at the southern border crossings",
        "description": "Border guards at the crossing points with Uzbekistan and Kyrgyzstan lack equipment and "
                       "training to detect forged and fraudulently obtained passports. We ask for document "
                       "examination training and access to international databases of stolen and lost documents.",
        "themes": ["border-management"], "modalities": ["training", "equipment"], "languages": ["ru", "kk"],
        "urgency": "medium", "beneficiary": "Border Service of the National Security Committee"},
     [("request-info", COORDINATOR, {"message": "Which crossing points should come first, and do the posts "
                                                "already have connectivity for database checks?"})], 35),
    ("kaz_internet", _state("KAZ"), {
        "title": "Investigating terrorist use of the Internet",
        "description": "Training for cybercrime investigators on open-source intelligence, preserving electronic "
                       "evidence from social networks and requesting data from service providers abroad.",
        "themes": ["internet"], "modalities": ["training"], "languages": ["ru"], "urgency": "medium",
        "draft": True}, [], 6),
    ("kaz_wmd", _state("KAZ"), {
        "title": "Strategic trade controls: licensing officers and customs",
        "description": "Kazakhstan is revising its list of controlled dual-use goods. Licensing officers and "
                       "customs inspectors need training on commodity identification, risk profiling of "
                       "shipments and enforcement of export controls under resolution 1540 (2004).",
        "themes": ["wmd", "border-management"], "modalities": ["training", "assessment"], "languages": ["ru", "en"],
        "urgency": "medium", "beneficiary": "Ministry of Trade and State Revenue Committee",
        "desired_start": 60, "desired_end": 240}, [("accept", COORDINATOR, {})], 70),
    ("nga_prosecutors", _state("NGA"), {
        "title": "Prosecuting terrorism cases: trial advocacy for federal prosecutors",
        "description": "Terrorism trials are delayed by weak case files and the handling of evidence gathered by the "
                       "military. Federal prosecutors ask for training on building cases, using financial and "
                       "digital evidence, and protecting witnesses, in line with international standards.",
        "themes": ["criminal-justice", "rule-of-law"], "modalities": ["training", "workshop"],
        "languages": ["en", "ha"], "urgency": "critical", "beneficiary": "Federal Ministry of Justice",
        "estimated_budget_usd": 120000, "desired_start": -30, "desired_end": 120},
     [("accept", COORDINATOR, {})], 200),
    ("nga_victims", _state("NGA"), {
        "title": "Support services for victims of terrorist attacks in the North-East",
        "description": "Survivors of attacks in Borno, Yobe and Adamawa need medical, psychosocial and legal "
                       "support. We ask for help designing a referral system and training social workers.",
        "themes": ["victims"], "modalities": ["expert-advice", "training"], "languages": ["en", "ha"],
        "urgency": "high", "beneficiary": "National Commission for Refugees, Migrants and IDPs"}, [], 4),
    ("nga_prisons", _state("NGA"), {
        "title": "Preventing radicalization to violence in prisons",
        "description": "Custodial centres hold a growing number of terrorism suspects among ordinary detainees. "
                       "We ask for an assessment of classification and risk assessment practice and training "
                       "for prison staff on disengagement programmes.",
        "themes": ["radicalization"], "modalities": ["assessment", "training"], "languages": ["en"],
        "urgency": "medium", "visibility": "providers", "beneficiary": "Nigerian Correctional Service"},
     [("accept", COORDINATOR, {})], 60),
    ("nga_hawala", _state("NGA"), {
        "title": "Regulating money-value transfer services",
        "description": "Informal money-value transfer services are used to move funds to armed groups. The "
                       "Central Bank asks for advice on licensing, supervising and sanctioning providers.",
        "themes": ["financing", "legal-framework"], "modalities": ["expert-advice", "legislative-drafting"],
        "languages": ["en"], "urgency": "medium", "beneficiary": "Central Bank of Nigeria"},
     [("accept", COORDINATOR, {})], 260),
    ("tjk_law", _state("TJK"), {
        "title": "Review of the draft law on countering extremism",
        "description": "Проект закона о противодействии экстремизму должен быть приведён в соответствие с "
                       "универсальными конвенциями и обязательствами в области прав человека. Просим провести "
                       "экспертизу законопроекта и семинар для депутатов.",
        "themes": ["legal-framework", "human-rights"], "modalities": ["legislative-drafting", "workshop"],
        "languages": ["ru", "tg"], "urgency": "high", "beneficiary": "Majlisi Namoyandagon (Assembly)"},
     [("review", COORDINATOR, {}), ("request-info", COORDINATOR, {
         "message": "Please attach the current draft and say whether the Assembly has set a date for its reading."})],
     25),
    ("tjk_border", _state("TJK"), {
        "title": "Border guard training on the Tajik-Afghan border",
        "description": "Подготовка пограничников по выявлению поддельных документов и досмотру транспортных "
                       "средств на пунктах пропуска на таджикско-афганской границе.",
        "themes": ["border-management"], "modalities": ["training", "equipment"], "languages": ["ru", "tg"],
        "urgency": "high", "beneficiary": "Border Troops of the State Committee for National Security"},
     [("accept", COORDINATOR, {})], 120),
    ("tjk_radiation", _state("TJK"), {
        "title": "Radiation detection at border crossings",
        "description": "Radiation portal monitors at two crossings are out of order. We need repair, hand-held "
                       "detectors and training of front-line officers in responding to alarms.",
        "themes": ["wmd", "border-management"], "modalities": ["equipment", "training"], "languages": ["ru"],
        "urgency": "critical", "beneficiary": "Customs Service", "estimated_budget_usd": 300000},
     [("accept", COORDINATOR, {})], 150),
    ("per_financing", _state("PER"), {
        "title": "Asistencia legislativa para tipificar la financiación del terrorismo",
        "description": "El Perú necesita ajustar el tipo penal de financiación del terrorismo a las "
                       "recomendaciones del GAFI y al Convenio de 1999, incluida la financiación de combatientes "
                       "terroristas extranjeros. Solicitamos revisión del proyecto de ley y un taller.",
        "themes": ["legal-framework", "financing"], "modalities": ["legislative-drafting", "workshop"],
        "languages": ["es"], "urgency": "medium", "beneficiary": "Ministerio de Justicia y Derechos Humanos"},
     [("review", COORDINATOR, {})], 10),
    ("per_cooperation", _state("PER"), {
        "title": "Cooperación judicial internacional en casos de terrorismo",
        "description": "Capacitación para fiscales sobre extradición y asistencia judicial recíproca.",
        "themes": ["criminal-justice"], "modalities": ["training"], "languages": ["es"], "urgency": "low",
        "draft": True}, [], 2),
    ("per_rights", _state("PER"), {
        "title": "Derechos humanos en las investigaciones antiterroristas",
        "description": "Formación de la Policía Nacional y del Ministerio Público sobre el respeto de los derechos "
                       "humanos en las investigaciones, detenciones e interrogatorios en casos de terrorismo.",
        "themes": ["human-rights", "criminal-justice"], "modalities": ["training", "workshop"], "languages": ["es"],
        "urgency": "medium", "beneficiary": "Policía Nacional del Perú"}, [("accept", COORDINATOR, {})], 45),
    ("jor_aviation", _state("JOR"), {
        "title": "Airport screening and insider threat programme",
        "description": "Queen Alia International Airport is expanding. We ask for help certifying screeners, "
                       "setting up a quality control programme and vetting staff with access to secure areas.",
        "themes": ["aviation-security"], "modalities": ["training", "assessment"], "languages": ["ar", "en"],
        "urgency": "high", "beneficiary": "Civil Aviation Regulatory Commission"},
     [("accept", COORDINATOR, {})], 170),
    ("jor_returnees", _state("JOR"), {
        "title": "Rehabilitation and reintegration of returning families",
        "description": "Women and children returning from conflict zones need rehabilitation and reintegration "
                       "programmes combining psychosocial care, education and community work.",
        "themes": ["radicalization", "victims"], "modalities": ["expert-advice", "funding"], "languages": ["ar"],
        "urgency": "high", "beneficiary": "Ministry of Social Development"}, [], 3),
    ("jor_narratives", _state("JOR"), {
        "title": "Online counter-narratives for young people",
        "description": "A campaign of online counter-narratives produced with young people and religious scholars "
                       "to answer terrorist propaganda on social media.",
        "themes": ["internet", "radicalization"], "modalities": ["funding", "workshop"], "languages": ["ar"],
        "urgency": "low"}, [("withdraw", _state("JOR"), {})], 90),
    ("mli_justice", COORDINATOR, {
        "country": "MLI", "title": "Renforcement de la chaîne pénale antiterroriste",
        "description": "Le Pôle judiciaire spécialisé demande une formation des enquêteurs et magistrats sur la "
                       "conduite des enquêtes, la preuve numérique et la coopération judiciaire régionale.",
        "themes": ["criminal-justice", "legal-framework"], "modalities": ["training", "legislative-drafting"],
        "languages": ["fr"], "urgency": "high", "visibility": "restricted", "shared_with": ["UNODC", "OHCHR"],
        "beneficiary": "Pôle judiciaire spécialisé"}, [("accept", COORDINATOR, {})], 110),
    ("phl_vehicles", COORDINATOR, {
        "country": "PHL", "title": "Armoured vehicles for police patrols",
        "description": "Purchase of twenty armoured vehicles for police patrols in Mindanao.",
        "themes": ["vulnerable-targets"], "modalities": ["equipment"], "languages": ["en"], "urgency": "medium"},
     [("reject", COORDINATOR, {"reason": "Military equipment is outside the technical assistance the Task Force "
                                         "entities provide; we suggested bilateral channels."})], 80),
    ("ken_soft_targets", COORDINATOR, {
        "country": "KEN", "title": "Protecting soft targets: shopping centres and hotels",
        "description": "After the attacks on shopping centres and hotels in Nairobi, private security managers and "
                       "police need guidance on protecting crowded places and planning the response to attacks.",
        "themes": ["vulnerable-targets"], "modalities": ["workshop", "expert-advice"], "languages": ["en", "sw"],
        "urgency": "high", "visibility": "providers", "beneficiary": "National Counter Terrorism Centre"},
     [("accept", COORDINATOR, {})], 20),
    ("uzb_npo", COORDINATOR, {
        "country": "UZB", "title": "Protecting non-profit organisations from terrorist-financing abuse",
        "description": "A risk assessment of the non-profit sector and outreach to charities, as FATF "
                       "Recommendation 8 asks, without hampering legitimate charitable work.",
        "themes": ["financing"], "modalities": ["assessment", "workshop"], "languages": ["ru", "uz"],
        "urgency": "medium", "beneficiary": "Department on Combating Economic Crimes"},
     [("accept", COORDINATOR, {})], 30),
]

# key: (provider, fields); dates are days from today.
OFFERS = [
    ("unodc_cft", _provider("unodc"), {
        "title": "Countering the financing of terrorism: FIU analyst training",
        "description": "Courses and mentoring for financial intelligence units, supervisors and investigators on "
                       "terrorist-financing typologies, strategic analysis and international cooperation.",
        "themes": ["financing"], "modalities": ["training", "expert-advice"], "languages": ["en", "ru"],
        "regions": ["143", "145"], "capacity": 4, "available_from": -300, "available_until": 400}),
    ("unodc_justice", _provider("unodc"), {
        "title": "Criminal justice responses to terrorism for prosecutors and judges",
        "description": "Training of prosecutors, judges and investigators on prosecuting terrorism cases under the "
                       "rule of law: evidence, special investigative techniques, international cooperation.",
        "themes": ["criminal-justice", "rule-of-law"], "modalities": ["training", "workshop", "expert-advice"],
        "languages": ["en", "fr", "es", "ar", "ru"], "capacity": 6}),
    ("unodc_legal", _provider("unodc"), {
        "title": "Legislative assistance on the universal legal instruments",
        "description": "Review of draft laws, legislative drafting and workshops for parliamentarians to ratify and "
                       "incorporate the universal conventions and protocols against terrorism.",
        "themes": ["legal-framework"], "modalities": ["legislative-drafting", "workshop"],
        "languages": ["en", "fr", "es", "ru", "ar"]}),
    ("unodc_prisons", _provider("unodc"), {
        "title": "Managing violent extremist prisoners and preventing radicalization in prisons",
        "description": "Assessment of prison regimes, risk assessment tools and training for prison staff on "
                       "disengagement and rehabilitation programmes.",
        "themes": ["radicalization"], "modalities": ["assessment", "training"], "languages": ["en", "fr", "ar"],
        "regions": ["002", "142"], "capacity": 3}),
    ("unodc_maritime", _provider("unodc"), {
        "title": "Port security and maritime crime programme",
        "description": "Assessments and training for port facilities and coast guards against maritime terrorism.",
        "themes": ["maritime-security"], "modalities": ["assessment", "training"], "languages": ["en"],
        "regions": ["035"], "available_until": -20}),
    ("imf_amlcft", _provider("imf"), {
        "title": "AML/CFT legal and supervisory technical assistance",
        "description": "Advice on anti-money laundering and countering the financing of terrorism laws, risk-based "
                       "supervision, national risk assessments and the non-profit sector.",
        "themes": ["financing", "legal-framework"], "modalities": ["expert-advice", "legislative-drafting",
                                                                   "assessment"],
        "languages": ["en", "fr", "es", "ru"], "capacity": 5}),
    ("imf_mvts", _provider("imf"), {
        "title": "Regulating money-value transfer services",
        "description": "Licensing, registration and supervision of money-value transfer services, including "
                       "hawala and mobile money, to keep terrorist funds out of remittance channels.",
        "themes": ["financing"], "modalities": ["expert-advice", "workshop"], "languages": ["en", "fr"],
        "regions": ["002"], "capacity": 2}),
    ("iaea_detection", _provider("iaea"), {
        "title": "Nuclear security detection equipment and training at borders",
        "description": "Radiation portal monitors, hand-held detectors and training of front-line officers to "
                       "detect and respond to nuclear and other radioactive material out of regulatory control.",
        "themes": ["wmd", "border-management"], "modalities": ["equipment", "training"], "languages": ["en", "ru"],
        "regions": ["143", "145"], "capacity": 2, "budget_usd": 500000}),
    ("iaea_plans", _provider("iaea"), {
        "title": "Integrated nuclear security support plans",
        "description": "An assessment of national nuclear security needs leading to a multi-year support plan.",
        "themes": ["wmd"], "modalities": ["assessment", "expert-advice"], "languages": ["en", "fr", "es", "ru"]}),
    ("wco_stce", _provider("wco"), {
        "title": "Strategic trade control enforcement training for customs",
        "description": "The WCO STCE programme: commodity identification of dual-use goods, risk management and "
                       "enforcement of export controls for customs officers.",
        "themes": ["wmd", "border-management"], "modalities": ["training"], "languages": ["en", "fr", "es", "ru"],
        "capacity": 4}),
    ("wco_passengers", _provider("wco"), {
        "title": "Passenger risk assessment with API and PNR data",
        "description": "Setting up advance passenger information and passenger name record analysis in customs.",
        "themes": ["border-management", "aviation-security"], "modalities": ["expert-advice", "training"],
        "languages": ["en", "es"], "regions": ["019", "142"]}),
    ("interpol_sltd", _provider("interpol"), {
        "title": "Stolen and lost travel documents checks at border posts",
        "description": "Connecting border posts to INTERPOL databases (SLTD, nominal data) with equipment and "
                       "training, so that every passport is checked at the first line.",
        "themes": ["border-management"], "modalities": ["equipment", "training"], "languages": ["en", "fr", "es",
                                                                                               "ar", "ru"],
        "capacity": 3}),
    ("interpol_cyber", _provider("interpol"), {
        "title": "Investigating terrorist use of the Internet",
        "description": "Training for investigators on online investigations, digital evidence and requests to "
                       "service providers, with INTERPOL's cyber capabilities.",
        "themes": ["internet"], "modalities": ["training"], "languages": ["en", "fr", "es", "ar", "ru"]}),
    ("interpol_biometrics", _provider("interpol"), {
        "title": "Biometric capture kits for border posts in West Africa",
        "description": "Fingerprint and face capture kits with training, linked to regional and INTERPOL databases.",
        "themes": ["border-management"], "modalities": ["equipment"], "languages": ["en", "fr"],
        "regions": ["011"], "capacity": 2}),
    ("ohchr_investigations", _provider("ohchr"), {
        "title": "Human rights compliance in counter-terrorism investigations",
        "description": "Training of police, prosecutors and security services on human rights standards in "
                       "investigations, detention and interrogation, with the Basic Human Rights Reference Guides.",
        "themes": ["human-rights", "criminal-justice"], "modalities": ["training", "workshop"],
        "languages": ["en", "fr", "es", "ar"]}),
    ("ohchr_victims", _provider("ohchr"), {
        "title": "Rights-based support for victims of terrorism",
        "description": "Advice on legislation and services that recognise and support victims of terrorism.",
        "themes": ["victims", "human-rights"], "modalities": ["expert-advice"], "languages": ["en", "fr"],
        "regions": ["002", "145"]}),
    ("icao_avsec", _provider("icao"), {
        "title": "Aviation security audit follow-up and screener certification",
        "description": "Follow-up of ICAO USAP audits: screener certification, quality control programmes and "
                       "insider threat mitigation for airports.",
        "themes": ["aviation-security"], "modalities": ["training", "assessment"],
        "languages": ["en", "fr", "es", "ar", "ru"], "capacity": 3}),
    ("icao_mrtd", _provider("icao"), {
        "title": "Machine readable travel documents and the ICAO PKD",
        "description": "Support for issuing secure machine readable and electronic passports and joining the "
                       "ICAO Public Key Directory.",
        "themes": ["border-management"], "modalities": ["expert-advice"], "languages": ["en", "fr", "es"],
        "pause": True}),
    ("nordic_fin", _provider("nordic"), {
        "title": "Nordic mentoring for financial investigators",
        "description": "Long-term mentors from Nordic financial intelligence units and funding for analysis "
                       "software, for Central Asian and West African FIUs.",
        "themes": ["financing"], "modalities": ["expert-advice", "funding"], "languages": ["en", "ru"],
        "countries": ["KAZ", "KGZ", "TJK", "UZB", "NGA", "GHA"], "capacity": 2, "budget_usd": 250000}),
    ("nordic_resilience", _provider("nordic"), {
        "title": "Community resilience grants against violent extremism",
        "description": "Small grants and training for community organisations, prison services and municipalities "
                       "preventing radicalization to violence.",
        "themes": ["radicalization", "victims"], "modalities": ["funding", "training"], "languages": ["en", "fr",
                                                                                                    "ar"],
        "regions": ["002", "145"], "budget_usd": 400000}),
]

# (request, offer, moves: (action, who, body)); the provider is the offer's, "state" the request's State.
MATCHES = [
    ("kaz_fiu", "unodc_cft", "Same need and region; Russian-speaking trainers available.", [
        ("accept", "provider", {}), ("start", "provider", {}),
        ("complete", "provider", {"outcome": "Two courses held in Astana for 34 analysts; a strategic analysis "
                                             "unit was set up and produced its first typology report."}),
        ("confirm", "state", {"rating": 5, "comment": "Excellent trainers; the analysts use the methods daily."})]),
    ("kaz_wmd", "wco_stce", "STCE training fits the customs part of the request.", []),
    ("kaz_wmd", "iaea_detection", "Detection equipment could help at the same posts.", [
        ("decline", "provider", {"reason": "The request is about licensing and customs controls of dual-use goods, "
                                           "not radiation detection; WCO's STCE programme fits better."})]),
    ("nga_prosecutors", "unodc_justice", "UNODC already trains prosecutors in the region.", [
        ("accept", "provider", {}), ("start", "provider", {})]),
    ("nga_prisons", "nordic_resilience", "Funding for prison disengagement programmes.", []),
    ("nga_hawala", "imf_mvts", "Exactly the IMF's money-value transfer work.", [
        ("accept", "provider", {}), ("start", "provider", {}),
        ("complete", "provider", {"outcome": "Draft regulations on money-value transfer services delivered to the "
                                             "Central Bank and discussed in a workshop with 25 supervisors."})]),
    ("tjk_border", "interpol_sltd", "Document checks at the Afghan border posts.", [("accept", "provider", {})]),
    ("tjk_radiation", "iaea_detection", "Portal monitor repair and detector training.", [
        ("accept", "provider", {}), ("start", "coordinator", {})]),
    ("per_rights", "ohchr_investigations", "Spanish-language human rights training.", []),
    ("jor_aviation", "icao_avsec", "Screener certification after the last audit.", [
        ("accept", "provider", {}), ("start", "provider", {})]),
    ("mli_justice", "unodc_justice", "Criminal justice training in French.", [("withdraw", "coordinator", {})]),
    ("mli_justice", "unodc_legal", "Start with the legislative part while the code of criminal procedure is "
                                   "being revised.", []),
    ("uzb_npo", "imf_amlcft", "NPO risk assessment is part of the IMF's CFT work.", []),
]


# What the delivered and ongoing matches cost and achieved: (request, offer) → money (stage, amount, currency,
# days ago, funder, US dollars a unit), results (kind, indicator, unit, baseline, target, actual), lessons, and the
# State's comment on the first result.
DELIVERY = {
    ("kaz_fiu", "unodc_cft"): {
        "funding": [("pledged", "60000", "USD", 80, "UNODC", "1"), ("committed", "52000", "EUR", 70, "UNODC", "1.08"),
                    ("committed", "9000000", "KZT", 65, "KAZ", "0.0021"), ("disbursed", "48000", "EUR", 30, "UNODC",
                                                                              "1.09")],
        "results": [("output", "Analysts trained in strategic and operational analysis", "people", "0", "30", "34"),
                    ("outcome", "Typology reports produced by the new strategic analysis unit", "reports", "0", "2",
                     "1")],
        "lessons": "Russian-language material prepared before the course saved two days of interpretation; the "
                   "analysts asked for a follow-up on virtual assets.",
        "comment": "All 34 analysts passed the final exercise.",
    },
    ("nga_prosecutors", "unodc_justice"): {
        "funding": [("committed", "120000", "USD", 50, "UNODC", "1"), ("pledged", "40000", "EUR", 40, "nordic-ct-capacity-fund",
                                                                        "1.08")],
        "results": [("output", "Prosecutors trained on terrorism cases", "people", "0", "40", "")],
    },
    ("nga_hawala", "imf_mvts"): {
        "funding": [("committed", "85000", "USD", 75, "IMF", "1"), ("disbursed", "85000", "USD", 20, "IMF", "1")],
        "results": [("output", "Draft regulations on money-value transfer services", "drafts", "0", "1", "1"),
                    ("output", "Supervisors trained", "people", "0", "20", "25")],
        "lessons": "Involving the Central Bank's legal department from the first week avoided a second drafting round.",
    },
    ("jor_aviation", "icao_avsec"): {
        "funding": [("committed", "35000", "USD", 25, "ICAO", "1")],
    },
}


def _record_delivery(actors: dict, match, delivery: dict, today: date) -> None:
    """The money, results, lessons and the State's comment of one demo match (through the operations)."""
    for stage, amount, currency, days_ago, funder, rate in delivery.get("funding", ()):
        add_funding(actors["provider"], match, {"stage": stage, "amount": amount, "currency": currency,
                                                "date": (today - timedelta(days=days_ago)).isoformat(),
                                                "funder": funder, "usd_rate": rate})
    results = [add_result(actors["provider"], match, {
        "kind": kind, "indicator": indicator, "unit": unit, "baseline": baseline, "target": target,
        **({"actual": actual} if actual else {})}) for kind, indicator, unit, baseline, target, actual
        in delivery.get("results", ())]
    if delivery.get("comment") and results:
        comment_result(actors["state"], match, results[0], {"comment": delivery["comment"]})
    if delivery.get("lessons"):
        edit_lessons(actors["provider"], match, {"lessons": delivery["lessons"], "version": match.version})


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise LookupError(f"demo user {email} is missing: load the demo users first")
    return user


def _dates(fields: dict, keys: tuple[str, str], today: date) -> dict:
    fields = dict(fields)
    for key in keys:
        if isinstance(fields.get(key), int):
            fields[key] = (today + timedelta(days=fields[key])).isoformat()
    return fields


# The demo States that consented to the public summary (publish_summary) for these requests.
PUBLISHED = {"kaz_fiu", "kaz_border", "nga_prosecutors", "nga_victims", "tjk_law", "tjk_border", "per_financing",
             "jor_aviation", "mli_justice"}


def load() -> None:
    """Create the demo requests, offers and matches, unless the database already has requests."""
    if db.session.scalar(select(func.count()).select_from(AssistanceRequest)):
        return
    today = date.today()
    coordinator = _user(COORDINATOR)
    requests, ages = {}, {}
    for key, by, fields, moves, days_ago in REQUESTS:
        fields = {"content_language": "en", "publish_summary": key in PUBLISHED,
                  **_dates(fields, ("desired_start", "desired_end"), today)}
        requests[key] = req = create_request(_user(by), fields)
        ages[key] = days_ago
        for action, who, body in moves:
            request_move(action)(_user(who), req, body)
    offers = {}
    for key, by, fields in OFFERS:
        fields = {"content_language": "en", **_dates(fields, ("available_from", "available_until"), today)}
        pause = fields.pop("pause", False)
        provider = _user(by)
        offers[key] = offer = create_offer(provider, fields)
        if pause:
            offer_move("pause")(provider, offer)
    for request_key, offer_key, note, moves in MATCHES:
        req, offer = requests[request_key], offers[offer_key]
        match = propose_match(coordinator, {"request_id": req.id, "offer_id": offer.id, "note": note})
        provider = db.session.scalar(select(User).where(User.organisation_id == offer.organisation_id,
                                                        User.role == Role.PROVIDER).order_by(User.id))
        state = db.session.scalar(select(User).where(User.organisation_id == req.organisation_id,
                                                     User.role == Role.MEMBER_STATE).order_by(User.id))
        actors = {"provider": provider, "coordinator": coordinator, "state": state}
        for action, who, body in moves:
            match_move(action)(actors[who], match, body)
        if (request_key, offer_key) in DELIVERY:
            _record_delivery(actors, match, DELIVERY[(request_key, offer_key)], today)
    db.session.flush()
    _spread_dates(requests, ages, offers)


def _spread_dates(requests: dict, ages: dict, offers: dict) -> None:
    """Give the records the dates of an exchange that has run for months (their audit trail keeps the real ones)."""
    now = utcnow()
    for key, req in requests.items():
        filed = now - timedelta(days=ages[key], hours=len(key))
        step = min(timedelta(days=max(ages[key] // 6, 1)), (now - filed) / 4)
        req.created_at = filed
        if req.submitted_at:
            req.submitted_at = filed + step / 4
        if req.accepted_at:
            req.accepted_at = filed + step
        req.status_changed_at = req.updated_at = filed + step * (3 if req.matches else 1)
        if req.clock_since is not None:  # the office's clock runs from the last time the case came back to it
            req.clock_since = req.status_changed_at
        for match in req.matches:
            match.created_at = filed + step * 1.5
            moments = [("accepted_at", 2), ("started_at", 2.5), ("completed_at", 3), ("confirmed_at", 3.2)]
            last = match.created_at
            for field, factor in moments:
                if getattr(match, field):
                    last = filed + step * factor
                    setattr(match, field, last)
            match.status_changed_at = match.updated_at = last
    for number, offer in enumerate(offers.values()):
        offer.created_at = offer.updated_at = now - timedelta(days=320 - number * 9)
