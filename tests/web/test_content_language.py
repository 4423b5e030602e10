"""Requests and offers in the six languages: the pages and the API speak the person's language (labels,
validation messages), each record keeps the language its own text is written in (detected, confirmed or
changed), lists show it and filter by it, and the offers' import template speaks the person's language while
an upload is read back whatever language its header row is in."""
from __future__ import annotations

import csv
import io
import re
from html import unescape

from sqlalchemy import select

from exchange.core.extensions import db
from exchange.core.i18n import speaking
from exchange.offers.imports import COLUMNS
from exchange.offers.models import Offer
from exchange.requests.models import AssistanceRequest
from tests.factories import OFFER, REQUEST, import_rows, make_request
from tests.helpers import error_beside

FRENCH_TITLE = "Formation des analystes de la cellule de renseignement financier"
FRENCH_DESCRIPTION = ("La cellule de renseignement financier compte six analystes et ne dispose d'aucun système de "
                      "gestion des dossiers ; nous demandons une formation de vingt analystes à l'examen des "
                      "déclarations d'opérations suspectes avant le mois de juin.")
SPANISH_DESCRIPTION = ("La unidad de inteligencia financiera necesita capacitación para sus analistas sobre los "
                       "reportes de operaciones sospechosas y el rastreo de la financiación del terrorismo.")


def french_form(**changes) -> dict:
    data = {"title": FRENCH_TITLE, "beneficiary": "Cellule de renseignement financier",
            "description": FRENCH_DESCRIPTION, "themes": ["financing"], "modalities": ["training"],
            "languages": ["fr"], "urgency": "high", "visibility": "task_force", "action": "submit"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def stored(app, model, record_id: int):
    with app.app_context():
        record = db.session.get(model, record_id)
        db.session.expunge(record)
        return record


def new_id(response) -> int:
    return int(response.headers["Location"].rsplit("/", 1)[1])


def selected_language(html: str) -> str:
    select_html = re.search(r'<select[^>]*name="content_language".*?</select>', html, re.DOTALL).group(0)
    return re.search(r'<option selected value="([^"]+)"|<option value="([^"]+)" selected', select_html).group(0) \
        .split('value="')[1].split('"')[0]


# --------------------------------------------------------------------------------------------
# The request form in French.

def test_the_request_form_in_french_labels_hints_and_the_proposed_language(clients, people):
    html = clients.state.get("/requests/new?lang=fr").get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert ">1. Le besoin, et pour qui</legend>" in html
    assert "Langue de ce texte" in html and "Enregistrer comme brouillon" in html
    assert "<title>Nouvelle demande d&#39;assistance" in html
    # The date fields are date pickers, and their hint says so, in French, on both of them.
    assert len(re.findall(r'type="date"', html)) == 2
    assert html.count("Choisissez la date dans le calendrier, ou saisissez-la dans l'ordre indiqué par le "
                      "champ.") == 2
    assert "(YYYY-MM-DD)" not in html
    # Nothing is written yet: the page's language is proposed.
    assert selected_language(html) == "fr"
    assert 'name="content_language_shown" value="fr"' in html


def test_a_request_filed_in_french_records_the_language_detected_from_its_text(app, clients, people):
    # The person leaves the proposed language as it is: the text decides, and it is French.
    response = clients.coordinator.post("/requests/new?lang=fr", data=french_form(
        country="NGA", content_language="fr", content_language_shown="fr"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert stored(app, AssistanceRequest, new_id(response)).content_language == "fr"
    # The same text typed on an English page, the proposal (English) left alone: still French.
    response = clients.coordinator.post("/requests/new", data=french_form(
        country="NGA", content_language="en", content_language_shown="en"))
    assert stored(app, AssistanceRequest, new_id(response)).content_language == "fr"
    # Without the select at all (an old form, a script): detected as well.
    response = clients.coordinator.post("/requests/new", data=french_form(country="NGA"))
    assert stored(app, AssistanceRequest, new_id(response)).content_language == "fr"


def test_the_language_the_person_chooses_wins_over_the_detection(app, clients, people):
    response = clients.coordinator.post("/requests/new?lang=fr", data=french_form(
        country="NGA", content_language="es", content_language_shown="fr"))
    assert response.status_code == 302
    assert stored(app, AssistanceRequest, new_id(response)).content_language == "es"


def test_a_short_draft_whose_language_cannot_be_told_takes_the_proposed_one(app, clients, people):
    response = clients.state.post("/requests/new?lang=ru", data={
        "title": "FIU help", "content_language": "ru", "content_language_shown": "ru", "action": "draft"})
    assert response.status_code == 302
    assert stored(app, AssistanceRequest, new_id(response)).content_language == "ru"


def test_french_validation_messages_and_the_detected_language_proposed_again(app, clients, people):
    before = db_count(app)
    # A coordinator forgets the State: the message, beside the field too, is French.
    response = clients.coordinator.post("/requests/new?lang=fr", data=french_form(
        content_language="en", content_language_shown="en"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_beside(html, "country") == "Choisissez l’État Membre auquel se rapporte cette demande."
    assert db_count(app) == before
    # The form now proposes the language found in what was typed, for the person to confirm.
    assert selected_language(html) == "fr"
    assert 'name="content_language_shown" value="fr"' in html
    # An unknown language code is refused beside the select, in French.
    response = clients.coordinator.post("/requests/new?lang=fr", data=french_form(
        country="NGA", content_language="xx", content_language_shown="fr"))
    assert response.status_code == 422
    assert "Langue inconnue" in error_beside(response.get_data(as_text=True), "content_language")
    assert db_count(app) == before


def db_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(AssistanceRequest.id)).all())


def test_the_text_of_a_request_is_marked_with_its_language(app, clients, people):
    response = clients.coordinator.post("/requests/new", data=french_form(country="NGA"))
    request_id = new_id(response)
    html = clients.coordinator.get(f"/requests/{request_id}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in html
    assert f'<span lang="fr" dir="ltr">{FRENCH_TITLE}</span>' in html
    assert re.search(r'class="request-description" lang="fr" dir="ltr">', html)
    listing = clients.coordinator.get("/requests?lang=en").get_data(as_text=True)
    assert f'<span class="fw-normal" lang="fr">{FRENCH_TITLE}</span>' in listing


# --------------------------------------------------------------------------------------------
# The API in French.

def test_the_api_detects_the_language_when_it_is_not_sent(api, tokens):
    response = api.post("/api/v1/requests", tokens.state, json=REQUEST | {
        "title": FRENCH_TITLE, "description": FRENCH_DESCRIPTION})
    assert response.status_code == 201, response.json
    assert response.json["content_language"] == "fr"
    english = api.post("/api/v1/requests", tokens.state, json=REQUEST)
    assert english.json["content_language"] == "en"
    chosen = api.post("/api/v1/requests", tokens.state, json=REQUEST | {"content_language": "ru"})
    assert chosen.json["content_language"] == "ru"
    # Too short to tell (a draft with a title only): left empty.
    draft = api.post("/api/v1/requests", tokens.state, json={"title": "FIU help", "draft": True})
    assert draft.status_code == 201 and draft.json["content_language"] is None
    # PATCH: a new text without a language is detected again; a language sent is kept.
    patched = api.patch(f"/api/v1/requests/{english.json['id']}", tokens.state, json={
        "version": english.json["version"], "description": SPANISH_DESCRIPTION, "title": "Capacitación de analistas"})
    assert patched.status_code == 200, patched.json
    assert patched.json["content_language"] == "es"
    again = api.patch(f"/api/v1/requests/{english.json['id']}", tokens.state, json={
        "version": patched.json["version"], "content_language": "fr"})
    assert again.json["content_language"] == "fr"


def test_api_errors_in_french_keep_their_codes(api, tokens):
    headers = {"Accept-Language": "fr"}
    missing = api.post("/api/v1/requests", tokens.coordinator, json=REQUEST, headers=headers)
    english = api.post("/api/v1/requests", tokens.coordinator, json=REQUEST)
    assert missing.status_code == english.status_code == 422
    assert missing.json["error"]["code"] == english.json["error"]["code"] == "validation_error"
    assert missing.json["error"]["message"] == "Indiquez l'État Membre concerné par cette demande."
    assert english.json["error"]["message"] == "Say which Member State this request is for."
    assert missing.json["error"]["fields"] == {
        "country": ["Choisissez l’État Membre auquel se rapporte cette demande."]}
    unknown = api.post("/api/v1/requests", tokens.state, json=REQUEST | {"content_language": "xx"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json["error"]["code"] == "validation_error"
    assert unknown.json["error"]["fields"]["content_language"] == [
        "Langue inconnue : indiquez le code ISO 639-1 d'une langue de la liste."]
    foreign = api.post("/api/v1/requests", tokens.state, json=REQUEST | {"country": "NGA"}, headers=headers)
    assert foreign.json["error"]["fields"] == {"country": ["Vous ne pouvez déposer une demande que pour KAZ."]}


def test_offers_through_the_api_detect_or_keep_their_language(api, tokens):
    response = api.post("/api/v1/offers", tokens.provider, json=OFFER)
    assert response.status_code == 201, response.json
    assert response.json["content_language"] == "en"
    spanish = api.post("/api/v1/offers", tokens.provider, json=OFFER | {
        "title": "Capacitación de analistas financieros", "description": SPANISH_DESCRIPTION})
    assert spanish.json["content_language"] == "es"
    refused = api.post("/api/v1/offers", tokens.provider, json=OFFER | {"organisation": "IMF"},
                       headers={"Accept-Language": "es"})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "validation_error"
    assert refused.json["error"]["message"] == "Los proveedores publican ofertas para su propia organización."


# --------------------------------------------------------------------------------------------
# Lists: the language shown and filtered.

def test_the_lists_filter_by_the_language_of_the_text(app, clients, people, api, tokens):
    with app.app_context():
        french = make_request(people, title=FRENCH_TITLE, description=FRENCH_DESCRIPTION, content_language="fr")
        english = make_request(people, title="Training for border guards on forged documents",
                               content_language="en")
        db.session.commit()
        french_ref, english_ref = french.reference, english.reference
    html = clients.state.get("/requests?content_language=fr").get_data(as_text=True)
    assert french_ref in html and english_ref not in html
    assert re.search(r'<option value="fr" selected>', html)  # the filter keeps its value
    assert '<abbr title="' in html and 'translate="no">fr</abbr>' in html
    both = clients.state.get("/requests?content_language=fr,en").get_data(as_text=True)
    assert french_ref in both and english_ref in both
    listed = api.get("/api/v1/requests?content_language=en", tokens.state).json
    assert [r["reference"] for r in listed["items"]] == [english_ref]

    api.post("/api/v1/offers", tokens.provider, json=OFFER)
    api.post("/api/v1/offers", tokens.provider, json=OFFER | {
        "title": "Capacitación de analistas financieros", "description": SPANISH_DESCRIPTION})
    offers = clients.provider.get("/offers?content_language=es&lang=es").get_data(as_text=True)
    assert "Capacitación de analistas financieros" in offers and OFFER["title"] not in offers
    assert ">Redactada en</abbr>" in offers
    assert [o["content_language"] for o in api.get("/api/v1/offers?content_language=es", tokens.provider)
            .json["items"]] == ["es"]


# --------------------------------------------------------------------------------------------
# The offers' import: a template in the person's language, read back in any language.

def test_the_import_template_speaks_the_persons_language_and_comes_back_in(app, clients, people):
    response = clients.provider.get("/imports/offers/template.csv?lang=fr")
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header = lines[0]
    assert header[:7] == ["Prestataire d'assistance", "Titre", "Ce que vous offrez", "Langue de ce texte", "Thèmes",
                          "Modalités d'assistance", "Langues"]
    assert "Disponible à partir du" in header and "Adresse électronique de contact" in header
    assert len(header) == len(COLUMNS)
    # A provider fills in the French template and uploads it back as it is.
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in import_rows(2):
        writer.writerow([row[c] for c in COLUMNS])
    upload = clients.provider.post("/imports/offers?lang=fr", data={"file": (io.BytesIO(out.getvalue().encode()),
                                                                               "offres.csv")},
                                   content_type="multipart/form-data")
    html = upload.get_data(as_text=True)
    assert upload.status_code == 200, html[:3000]
    assert "Les 2 lignes sont valides" in html
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    confirmed = clients.provider.post("/imports/offers/confirm?lang=fr", data={"token": token})
    assert "2 offres importées" in unescape(confirmed.get_data(as_text=True))
    with app.app_context():
        assert {o.content_language for o in db.session.scalars(select(Offer))} == {"en"}


def test_an_import_header_in_another_language_or_codes_is_read_and_its_problems_are_in_french(app, clients, people):
    # Headers written in Russian, and in codes: both are read.
    with app.test_request_context():
        from exchange.core.i18n import speaking
        from exchange.offers.imports import headers
        with speaking("ru"):
            russian = headers()
    for header in (russian, COLUMNS):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerow([import_rows(1)[0][c] for c in COLUMNS])
        upload = clients.provider.post("/imports/offers", data={"file": (io.BytesIO(out.getvalue().encode()),
                                                                         "offers.csv")},
                                       content_type="multipart/form-data")
        assert upload.status_code == 200 and "All 1 rows are valid" not in upload.get_data(as_text=True)
        assert "The 1 row is valid" in upload.get_data(as_text=True)
    # A header the template does not have: refused, in French, naming the missing columns in French.
    bad = "Titre;Rien\nUn titre;x\n".replace(";", ",").encode()
    refused = clients.provider.post("/imports/offers?lang=fr", data={"file": (io.BytesIO(bad), "offres.csv")},
                                    content_type="multipart/form-data")
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422
    assert "La ligne d'en-tête ne correspond pas au modèle : colonne(s) manquante(s) : Ce que vous offrez" in html
    assert "colonne(s) inconnue(s) : rien." in html
    with app.app_context():
        assert db.session.scalars(select(Offer)).all() == []


def test_the_offer_form_in_spanish(clients, people):
    html = clients.provider.get("/offers/new?lang=es").get_data(as_text=True)
    assert "Idioma de este texto" in html and "Publicar la oferta" in html
    assert html.count("Elija la fecha en el calendario o escríbala en el orden que muestra el campo.") == 2
    assert selected_language(html) == "es"


def test_each_person_is_told_of_a_request_in_their_own_language(app, clients, people):
    from exchange.messages.models import Notification
    from exchange.people.models import User
    with app.app_context():
        db.session.get(User, people.state.id).language = "fr"
        db.session.commit()
        req = make_request(people, status="submitted")
        db.session.commit()
        request_id, reference = req.id, req.reference
    assert clients.coordinator.post(f"/requests/{request_id}/move/accept").status_code == 302
    with app.app_context():
        told = db.session.scalars(select(Notification).where(Notification.kind == "request.accept")).all()
        by_user = {n.user_id: n for n in told}
        with speaking("fr"):  # as the inbox and the e-mail write it for the French-speaking focal point
            assert by_user[people.state.id].text == (f"La demande {reference} ({REQUEST['title']}) a été acceptée "
                                                     "et est désormais ouverte aux prestataires.")
        submitted = db.session.scalars(select(Notification).where(Notification.kind == "request.submitted")).all()
        assert all(n.message.startswith(f"{reference} from ") for n in submitted)  # coordinators read English


def test_the_forms_ask_the_language_of_the_text_being_typed(clients, people):
    answer = clients.provider.post("/requests/text-language", data={"title": FRENCH_TITLE,
                                                                    "description": FRENCH_DESCRIPTION})
    assert answer.status_code == 200 and answer.json == {"language": "fr"}
    assert clients.state.post("/requests/text-language", data={"title": "FIU"}).json == {"language": None}
    html = clients.provider.get("/offers/new").get_data(as_text=True)
    assert 'data-text-language-url="/requests/text-language"' in html and "js/request_form.js" in html
