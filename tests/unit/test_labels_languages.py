"""The words of core in each language: status, urgency, visibility and role labels (module-level, read in the
language of the moment), move labels and refusals, and marshmallow's own messages written anew."""
from __future__ import annotations

import pytest
from flask_babel import get_locale

from exchange.core import workflow
from exchange.core.errors import Conflict, Forbidden, NotFound
from exchange.core.i18n import speaking
from exchange.core.schemas import MARSHMALLOW_MESSAGES, translated
from exchange.core.statuses import MatchStatus, OfferStatus, RequestStatus, Role, Urgency, Visibility

EXPECTED = {
    # language: (request open, match declined, offer paused, urgency high, role coordinator, move "Submit for review")
    "en": ("Open", "Declined", "Paused", "High", "Task Force coordinator", "Submit for review"),
    "ar": ("مفتوح", "مرفوض من الجهة المقدمة", "معلّق", "عالية", "منسق فرقة العمل", "تقديم للاستعراض"),
    "zh": ("开放", "已婉拒", "已暂停", "高", "工作队协调员", "提交审查"),
    "fr": ("Ouverte", "Déclinée", "Suspendue", "Élevé", "Coordonnateur de l'Équipe spéciale", "Soumettre pour examen"),
    "ru": ("Открыто", "Отклонено поставщиком", "Приостановлено", "Высокая", "Координатор Целевой группы",
           "Представить на рассмотрение"),
    "es": ("Abierta", "Declinada", "En pausa", "Alta", "Coordinador del Equipo Especial", "Presentar para examen"),
}


@pytest.fixture
def in_request(app):
    with app.test_request_context("/"):
        yield


@pytest.mark.parametrize("code", list(EXPECTED))
def test_labels_are_read_in_the_language_of_the_moment(in_request, code):
    with speaking(code):
        assert str(get_locale()) == code
        found = (RequestStatus.OPEN.label, MatchStatus.DECLINED.label, OfferStatus.PAUSED.label, Urgency.HIGH.label,
                 Role.COORDINATOR.label, workflow.REQUEST_MOVES["submit"].label)
        assert found == EXPECTED[code]
        assert all(isinstance(label, str) for label in found)
        assert list(Urgency.labels()) == list(Urgency) and Urgency.labels()[Urgency.HIGH] == EXPECTED[code][3]
        assert len(set(Visibility.labels().values())) == 3
    # Back in English once the block ends; the value (the code) never changes.
    assert RequestStatus.OPEN.label == "Open" and RequestStatus.OPEN == "open"


def test_every_label_and_move_is_translated_in_every_language(in_request):
    words = [m.label for enum in (RequestStatus, MatchStatus, OfferStatus, Urgency, Visibility, Role) for m in enum]
    moves = [move.label for table in workflow.MOVES.values() for move in table.values()]
    for code in ("ar", "zh", "fr", "ru", "es"):
        with speaking(code):
            translated_words = [m.label for enum in (RequestStatus, MatchStatus, OfferStatus, Urgency, Visibility,
                                                     Role) for m in enum]
            translated_moves = [move.label for table in workflow.MOVES.values() for move in table.values()]
        untranslated = [w for w, t in zip(words + moves, translated_words + translated_moves) if w == t
                        and not (code == "fr" and w in ("Active", "Administration"))]
        assert untranslated == [], (code, untranslated)


class _Organisation:
    is_approved = True


class _Person:
    def __init__(self, role):
        self.role, self.organisation_id, self.id, self.organisation = role, -1, -1, _Organisation()


class _Offer:
    status, organisation_id = OfferStatus.PAUSED, -2


def test_refused_moves_are_whole_sentences_in_each_language(in_request):
    coordinator = _Person(Role.COORDINATOR)
    with pytest.raises(Conflict) as refused:
        workflow.check_move("offer", "pause", coordinator, _Offer())
    assert refused.value.message == "The move “Pause” is not possible on an offer whose status is “Paused”."
    with speaking("fr"), pytest.raises(Conflict) as refused:
        workflow.check_move("offer", "pause", coordinator, _Offer())
    assert refused.value.message == ("L'action « Suspendre » n'est pas possible sur une offre dont le statut est "
                                     "« Suspendue ».")
    with speaking("ru"), pytest.raises(Forbidden) as forbidden:
        workflow.check_move("offer", "pause", _Person(Role.MEMBER_STATE), _Offer())
    assert forbidden.value.message == "Вы не можете выполнить действие «Приостановить» с этим предложением."
    with speaking("zh"), pytest.raises(Conflict) as unknown:
        workflow.check_move("offer", "fly", coordinator, _Offer())
    assert unknown.value.message == "未知操作：'fly'。"


def test_an_error_without_words_of_its_own_speaks_the_language_it_is_raised_in(in_request):
    assert NotFound().message == "Not found." and NotFound().code == "not_found"
    with speaking("es"):
        assert NotFound().message == "No encontrado."
        assert Conflict("Ya está.").message == "Ya está."


@pytest.mark.parametrize("english, french", [
    ("Missing data for required field.", "Données manquantes pour un champ obligatoire."),
    ("Not a valid integer.", "Nombre entier non valide."),
    ("Length must be between 3 and 200.", "La longueur doit être comprise entre 3 et 200."),
    ("Longer than maximum length 64.", "Plus long que la longueur maximale de 64."),
    ("Must be one of: low, medium, high.", "Doit être l'une des valeurs suivantes : low, medium, high."),
    ("Must be greater than or equal to 0.", "Doit être supérieur ou égal à 0."),
    ("Must be greater than or equal to 1 and less than or equal to 9.",
     "Doit être supérieur ou égal à 1 et inférieur ou égal à 9."),
    ("Must be greater than 1 and less than 9.", "Doit être supérieur à 1 et inférieur à 9."),
    ("Choose at least one theme.", "Choose at least one theme."),  # not marshmallow's: left as it is
])
def test_marshmallows_messages_are_written_anew(in_request, english, french):
    assert translated(english) == english
    with speaking("fr"):
        assert translated(english) == french


def test_marshmallows_real_messages_are_all_known(in_request):
    """What marshmallow itself writes for the validators and fields the schemas use is in the table."""
    import marshmallow as ma

    class Probe(ma.Schema):
        text = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=5))
        number = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=9))
        low = ma.fields.Integer(validate=ma.validate.Range(min=1))
        day = ma.fields.Date()
        items = ma.fields.List(ma.fields.String())
        choice = ma.fields.String(validate=ma.validate.OneOf(["a", "b"]))
        email = ma.fields.Email()

    cases = [{}, {"text": 1, "number": "x", "low": 0, "day": "no", "items": 3, "choice": "c", "email": "x"},
             {"text": "toolong", "number": 10, "unknown": 1}, {"text": None}]
    messages = set()
    for data in cases:
        try:
            Probe().load(data)
        except ma.ValidationError as err:
            messages |= {m for value in err.messages.values() for m in value}
    assert len(messages) >= 10
    with speaking("ar"):
        assert [m for m in messages if translated(m) == m] == []
    assert len(MARSHMALLOW_MESSAGES) == len(set(MARSHMALLOW_MESSAGES))


def test_a_filter_not_understood_is_said_in_the_language_of_the_moment(in_request):
    import dataclasses
    from datetime import date

    from exchange.core.errors import ValidationFailed
    from exchange.core.filters import ListFilters, day

    @dataclasses.dataclass(frozen=True)
    class Period(ListFilters):
        start: date | None = day(keys=("from",))

    with speaking("ru"), pytest.raises(ValidationFailed) as refused:
        Period.from_params({"from": "yesterday"})
    assert refused.value.message == "Некоторые фильтры заданы неверно."
    assert refused.value.fields == {"from": ["Укажите дату в формате ГГГГ-ММ-ДД (YYYY-MM-DD)."]}
    assert refused.value.code == "validation_error"
