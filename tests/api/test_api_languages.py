"""The API answers in the caller's Accept-Language: the error's message and its fields' messages (marshmallow's
own included) are translated, its code never is."""
from __future__ import annotations

import pytest

from tests.helpers import test_config

LANGUAGES = ("fr", "ar", "zh", "ru", "es")


def _error(response) -> dict:
    return response.get_json()["error"]


def _in(api, language: str, method: str, path: str, token=None, **kwargs):
    headers = {"Accept-Language": language, **kwargs.pop("headers", {})}
    return api.call(method, path, token, headers=headers, **kwargs)


@pytest.mark.parametrize("language", LANGUAGES)
def test_malformed_json_is_400_with_the_same_code_in_every_language(api, tokens, language):
    english = api.client.post("/api/v1/requests", data=b'{"title": ', content_type="application/json",
                              headers={"Authorization": f"Bearer {tokens.state}"})
    translated = api.client.post("/api/v1/requests", data=b'{"title": ', content_type="application/json",
                                 headers={"Authorization": f"Bearer {tokens.state}", "Accept-Language": language})
    assert english.status_code == translated.status_code == 400
    assert _error(english)["code"] == _error(translated)["code"] == "bad_request"
    assert _error(english)["message"].startswith("The request body is not valid JSON (line 1, column 11)")
    assert "JSON" in _error(translated)["message"] and _error(translated)["message"] != _error(english)["message"]
    assert "(line 1" not in _error(translated)["message"]


def test_each_error_speaks_the_callers_language(api, tokens):
    french = {
        401: (_in(api, "fr", "GET", "/api/v1/themes"), "unauthorized", "Un jeton porteur valide est requis."),
        404: (_in(api, "fr", "GET", "/api/v1/nowhere", tokens.state), "not_found",
              "Ce point de terminaison ou cet enregistrement n'existe pas."),
        405: (_in(api, "fr", "DELETE", "/api/v1/themes", tokens.state), "method_not_allowed",
              "Cette méthode n'est pas autorisée sur ce point de terminaison."),
    }
    for status, (response, code, message) in french.items():
        assert response.status_code == status
        assert _error(response) == {"code": code, "message": message}
    arabic = _in(api, "ar", "GET", "/api/v1/themes")
    assert _error(arabic) == {"code": "unauthorized", "message": "يلزم رمز حامل صالح."}
    chinese = _in(api, "zh-CN,zh;q=0.9", "GET", "/api/v1/requests/999999", tokens.state)
    assert chinese.status_code == 404 and _error(chinese)["code"] == "not_found"
    assert _error(chinese)["message"] == "请求 999999 不存在或您无权查看。"


def test_a_preference_list_picks_the_best_language_and_an_unknown_one_is_english(api):
    assert _error(_in(api, "de-CH, ru;q=0.8, fr;q=0.5", "GET", "/api/v1/themes"))["message"] == \
        "Требуется действительный токен носителя."
    assert _error(_in(api, "de", "GET", "/api/v1/themes"))["message"] == "A valid bearer token is required."


def test_validation_messages_marshmallows_own_included_are_translated(api, tokens):
    body = {"title": 5, "surprise": True, "themes": "not a list", "urgency": "soon"}
    english = api.post("/api/v1/requests", tokens.state, json=body)
    assert english.status_code == 422
    fields = _error(english)["fields"]
    assert fields["title"] == ["Not a valid string."] and fields["surprise"] == ["Unknown field."]
    assert fields["themes"] == ["Not a valid list."] and fields["urgency"][0] == "Urgency: choose one of low, medium, high, critical."
    expected = {
        "fr": ("Certains champs ne sont pas valides.", "Chaîne de caractères non valide.", "Champ inconnu.",
               "Liste non valide.", "Degré d’urgence : choisissez l’une des valeurs suivantes : "),
        "ar": ("بعض الحقول غير صالحة.", "ليست سلسلة نصية صالحة.", "حقل غير معروف.", "ليست قائمة صالحة.",
               "درجة الاستعجال: اختر أحد ما يلي: "),
        "zh": ("部分字段无效。", "不是有效的字符串。", "未知字段。", "不是有效的列表。", "紧迫程度：请从以下选项中选择一项："),
    }
    for language, (message, title, surprise, themes, urgency) in expected.items():
        response = _in(api, language, "POST", "/api/v1/requests", tokens.state, json=body)
        assert response.status_code == 422
        error = _error(response)
        assert error["code"] == "validation_error" and error["message"] == message
        assert error["fields"]["title"] == [title] and error["fields"]["surprise"] == [surprise]
        assert error["fields"]["themes"] == [themes]
        # The field named in the reader's language; the allowed values themselves are codes: they stay as they are.
        assert error["fields"]["urgency"][0].startswith(urgency + "low, medium, high, critical"), \
            error["fields"]["urgency"]


def test_length_and_range_messages_keep_their_numbers(api, tokens, world, people):
    request_id = world.request("submitted")
    english = api.post(f"/api/v1/requests/{request_id}/reject", tokens.coordinator,
                       json={"reason": "no", "duplicate_of": 0})
    assert english.status_code == 422
    assert _error(english)["fields"] == {"reason": ["Give a reason of 3 to 5,000 characters."],
                                         "duplicate_of": ["Must be greater than or equal to 1 and less than or "
                                                          "equal to 2147483647."]}
    french = _in(api, "fr", "POST", f"/api/v1/requests/{request_id}/reject", tokens.coordinator,
                 json={"reason": "no", "duplicate_of": 0})
    assert _error(french)["fields"] == {"reason": ["Indiquez un motif de 3 à 5 000 caractères."],
                                        "duplicate_of": ["Doit être supérieur ou égal à 1 et inférieur ou égal à "
                                                         "2147483647."]}


def test_a_refused_move_is_a_whole_sentence_in_the_callers_language(api, tokens, world):
    request_id = world.request("submitted")
    response = _in(api, "es", "POST", f"/api/v1/requests/{request_id}/close", tokens.coordinator, json={})
    assert response.status_code == 409 and _error(response)["code"] == "conflict"
    assert _error(response)["message"] == ("La acción «Cerrar» no es posible en una solicitud cuyo estado es "
                                           "«Presentada».")


def test_the_untrusted_host_refusal_is_translated_too(app):
    from exchange.app import create_app
    guarded = create_app(test_config(TRUSTED_HOSTS=["exchange.example.org"]))
    response = guarded.test_client().get("/api/v1/themes", headers={"Host": "evil.example",
                                                                    "Accept-Language": "ru"})
    assert response.status_code == 400
    assert _error(response) == {"code": "bad_request",
                                "message": "Этот сервер не обслуживает имя хоста, указанное в запросе."}
