"""POST /messages validates as the Cloud API does: Meta's codes, bodies and HTTP statuses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sender.emulator import EmulatorHandle
from tests.sender.emulator.conftest import DE, MESSAGES, PHONE_ID, TOKEN, spring_components, template_body


def assert_error(
    response: httpx.Response, code: int, status: int = 400, details: str | None = None
) -> dict[str, Any]:
    """The answer is Meta's error shape with this code; returns the error object."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith(f"(#{code}) ")
    assert error["type"] == "OAuthException"
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert isinstance(error["error_data"]["details"], str) and error["error_data"]["details"]
    assert isinstance(error["fbtrace_id"], str) and len(error["fbtrace_id"]) >= 10
    if details is not None:
        assert details in error["error_data"]["details"], error["error_data"]["details"]
    return error


def test_a_valid_template_send_gets_a_wamid_and_is_recorded(
    client: httpx.Client, emulator: EmulatorHandle
) -> None:
    response = client.post(MESSAGES, json=template_body(to=DE, biz_opaque_callback_data="key-1"))
    assert response.status_code == 200
    answer = response.json()
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": DE, "wa_id": DE[1:]}]
    (message,) = answer["messages"]
    assert message["id"].startswith("wamid.") and message["message_status"] == "accepted"
    (accepted,) = emulator.messages()
    assert (accepted.wamid, accepted.to, accepted.template, accepted.language, accepted.callback_data) == (
        message["id"],
        DE,
        "spring_sale",
        "en_US",
        "key-1",
    )
    (arrival,) = emulator.arrivals()
    assert (arrival.to, arrival.http_status, arrival.error_code) == (DE, 200, None)


def test_wamids_are_unique_and_to_without_plus_is_accepted(client: httpx.Client) -> None:
    ids = {
        client.post(MESSAGES, json=template_body(to=f"4915123{i:06d}")).json()["messages"][0]["id"]
        for i in range(20)
    }
    assert len(ids) == 20


@pytest.mark.parametrize(
    ("headers", "query", "details"),
    [
        ({}, "", "access token is required"),
        ({"authorization": "Bearer wrong"}, "", "Invalid OAuth access token"),
        ({"authorization": f"Basic {TOKEN}"}, "", "access token is required"),
    ],
)
def test_missing_or_wrong_token_is_190_with_401(
    emulator: EmulatorHandle, headers: dict[str, str], query: str, details: str
) -> None:
    response = httpx.post(f"{emulator.base_url}{MESSAGES}{query}", json=template_body(), headers=headers)
    assert_error(response, 190, status=401, details=details)
    assert emulator.messages() == []
    assert emulator.arrivals()[-1].error_code == 190


def test_token_in_the_query_string_is_accepted_as_graph_does(emulator: EmulatorHandle) -> None:
    response = httpx.post(f"{emulator.base_url}{MESSAGES}?access_token={TOKEN}", json=template_body())
    assert response.status_code == 200


def test_unknown_phone_number_id_is_100(client: httpx.Client) -> None:
    assert_error(
        client.post("/v25.0/999999/messages", json=template_body()), 100, details="'999999' does not exist"
    )


@pytest.mark.parametrize(("version", "code"), [("v17.0", 2635), ("v26.0", 2500), ("latest", 2500)])
def test_versions_outside_18_to_25_are_refused(client: httpx.Client, version: str, code: int) -> None:
    assert_error(client.post(f"/{version}/{PHONE_ID}/messages", json=template_body()), code)


@pytest.mark.parametrize("version", ["v18.0", "v21.0", "v25.0"])
def test_versions_18_to_25_are_served(client: httpx.Client, version: str) -> None:
    assert client.post(f"/{version}/{PHONE_ID}/messages", json=template_body()).status_code == 200


def test_unknown_paths_get_a_meta_error(client: httpx.Client) -> None:
    assert_error(
        client.get("/v25.0/106540352242922/conversations/x"), 2500, details="Unknown path components"
    )


def test_a_body_that_is_not_json_is_100(client: httpx.Client) -> None:
    response = client.post(
        MESSAGES, content=b'{"messaging_product": "whats', headers={"content-type": "application/json"}
    )
    assert_error(response, 100, details="not valid JSON")


@pytest.mark.parametrize(
    ("change", "code", "details"),
    [
        ({"messaging_product": None}, 100, "messaging_product is required"),
        ({"messaging_product": "sms"}, 100, "must be one of {WHATSAPP}"),
        ({"to": None}, 131008, "to is required"),
        ({"to": "phone"}, 131009, "'phone' is not valid"),
        ({"to": "+49 151 2345"}, 131009, "is not valid"),
        ({"to": "12"}, 131009, "is not valid"),
        ({"to": "+15550001234"}, 131021, "business phone number itself"),
        ({"type": "carrier_pigeon"}, 100, "Param type must be one of"),
        ({"biz_opaque_callback_data": "x" * 513}, 100, "at most 512"),
        ({"template": None}, 131008, "template is required"),
    ],
)
def test_envelope_errors(client: httpx.Client, change: dict[str, Any], code: int, details: str) -> None:
    body = template_body()
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    assert_error(client.post(MESSAGES, json=body), code, details=details)


def test_an_unknown_template_or_language_is_132001(client: httpx.Client) -> None:
    assert_error(
        client.post(MESSAGES, json=template_body(name="winter_sale")),
        132001,
        details="template name (winter_sale) does not exist in en_US",
    )
    # the template exists, but not in this language (Meta matches the code exactly)
    assert_error(
        client.post(MESSAGES, json=template_body(language="en")), 132001, details="does not exist in en"
    )


@pytest.mark.parametrize(
    ("name", "code"), [("old_promo", 132015), ("dead_promo", 132016), ("draft_promo", 132001)]
)
def test_templates_that_are_not_approved_are_refused(client: httpx.Client, name: str, code: int) -> None:
    assert_error(client.post(MESSAGES, json=template_body(name=name, components=[])), code)


@pytest.mark.parametrize(
    ("components", "details"),
    [
        # the body has two parameters; one given
        (
            [
                {"type": "header", "parameters": [{"type": "text", "text": "Ana"}]},
                {"type": "body", "parameters": [{"type": "text", "text": "Ana"}]},
            ],
            "body: number of localizable_params (1) does not match the expected number of params (2)",
        ),
        # the header parameter is missing
        (
            [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "5%"}],
                },
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "2",
                    "parameters": [{"type": "text", "text": "x"}],
                },
            ],
            "header: number of localizable_params (0) does not match the expected number of params (1)",
        ),
        # the URL button's suffix is missing
        (spring_components()[:2], "button at index 2: number of localizable_params (0)"),
    ],
)
def test_parameter_counts_must_match_the_template(
    client: httpx.Client, components: list[Any], details: str
) -> None:
    assert_error(client.post(MESSAGES, json=template_body(components=components)), 132000, details=details)


@pytest.mark.parametrize("text", ["Ana\nMaria", "Ana\tMaria", "Ana     Maria"])
def test_parameter_text_rules_are_132018(client: httpx.Client, text: str) -> None:
    response = client.post(MESSAGES, json=template_body(components=spring_components(first=text)))
    assert_error(response, 132018, details="new-line/tab characters or more than 4 consecutive spaces")


def test_four_consecutive_spaces_are_still_fine(client: httpx.Client) -> None:
    response = client.post(MESSAGES, json=template_body(components=spring_components(first="Ana    Maria")))
    assert response.status_code == 200


def test_hydrated_body_over_1024_characters_is_132005(client: httpx.Client) -> None:
    # the body's own text is 40 characters without its two placeholders ("Hi , everything is  off until Sunday.")
    static = len("Hi , everything is  off until Sunday.")
    fits = "x" * (1024 - static - 3)
    assert (
        client.post(
            MESSAGES, json=template_body(components=spring_components(first=fits, second="20%"))
        ).status_code
        == 200
    )
    too_long = spring_components(first=fits + "y", second="20%")
    assert_error(
        client.post(MESSAGES, json=template_body(components=too_long)), 132005, details="1025 characters"
    )


def test_header_text_over_60_characters_is_132005(client: httpx.Client) -> None:
    # "Spring sale for " is 16 characters: 44 more fit, 45 do not
    assert (
        client.post(MESSAGES, json=template_body(components=spring_components(header="h" * 44))).status_code
        == 200
    )
    response = client.post(MESSAGES, json=template_body(components=spring_components(header="h" * 45)))
    assert_error(response, 132005, details="header: hydrated text is 61 characters")


def test_url_suffix_must_be_percent_encoded(client: httpx.Client) -> None:
    response = client.post(MESSAGES, json=template_body(components=spring_components(suffix="spring sale")))
    assert_error(response, 131009, details="percent-encoded")
    assert (
        client.post(
            MESSAGES, json=template_body(components=spring_components(suffix="spring%20sale"))
        ).status_code
        == 200
    )


def test_a_button_index_the_template_does_not_have_is_refused(client: httpx.Client) -> None:
    components = [
        *spring_components(),
        {"type": "button", "sub_type": "quick_reply", "index": "7", "parameters": []},
    ]
    assert_error(
        client.post(MESSAGES, json=template_body(components=components)),
        131009,
        details="index 7 does not exist",
    )


def test_a_button_of_another_type_is_a_format_mismatch(client: httpx.Client) -> None:
    components = [
        *spring_components()[:2],
        {"type": "button", "sub_type": "quick_reply", "index": "2", "parameters": []},
    ]
    assert_error(
        client.post(MESSAGES, json=template_body(components=components)), 132012, details="expected URL"
    )


def order_components(
    header_type: str = "image", names: tuple[str, str] = ("first_name", "order_id")
) -> list[Any]:
    media = {"type": header_type, header_type: {"link": "https://acme.example/p.jpg"}}
    return [
        {"type": "header", "parameters": [media]},
        {
            "type": "body",
            "parameters": [
                {"type": "text", "parameter_name": names[0], "text": "Ana"},
                {"type": "text", "parameter_name": names[1], "text": "A-17"},
            ],
        },
    ]


def test_named_parameters_and_an_image_header(client: httpx.Client) -> None:
    body = template_body(name="order_update", language="es", components=order_components())
    assert client.post(MESSAGES, json=body).status_code == 200


def test_named_parameters_must_carry_the_template_names(client: httpx.Client) -> None:
    wrong = template_body(
        name="order_update", language="es", components=order_components(names=("first_name", "order"))
    )
    assert_error(client.post(MESSAGES, json=wrong), 132000, details="'order' is not in the template")
    unnamed = order_components()
    del unnamed[1]["parameters"][0]["parameter_name"]
    body = template_body(name="order_update", language="es", components=unnamed)
    assert_error(client.post(MESSAGES, json=body), 100, details="no parameter_name")


def test_header_media_type_must_match_the_template(client: httpx.Client) -> None:
    body = template_body(name="order_update", language="es", components=order_components(header_type="video"))
    assert_error(
        client.post(MESSAGES, json=body),
        132012,
        details="header: Format mismatch, expected IMAGE, received VIDEO",
    )


def otp(code: str) -> list[Any]:
    return [
        {"type": "body", "parameters": [{"type": "text", "text": code}]},
        {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": code}]},
    ]


def test_authentication_parameters_are_at_most_15_characters(client: httpx.Client) -> None:
    ok = template_body(name="login_code", components=otp("1" * 15))
    assert client.post(MESSAGES, json=ok).status_code == 200
    too_long = template_body(name="login_code", to="+4915123456780", components=otp("1" * 16))
    assert_error(client.post(MESSAGES, json=too_long), 131009, details="at most 15 characters")


def test_a_session_message_outside_the_24h_window_is_131047_and_inside_is_accepted(
    client: httpx.Client, emulator: EmulatorHandle
) -> None:
    text = {"messaging_product": "whatsapp", "to": DE, "type": "text", "text": {"body": "Your order shipped"}}
    assert_error(client.post(MESSAGES, json=text), 131047, details="more than 24 hours")
    emulator.inject_inbound(DE, text="Where is my order?")
    response = client.post(MESSAGES, json=text)
    assert response.status_code == 200
    assert emulator.messages()[-1].template is None


def test_every_arrival_is_recorded_with_its_verdict(client: httpx.Client, emulator: EmulatorHandle) -> None:
    client.post(MESSAGES, json=template_body(to="+4915100000001"))
    client.post(MESSAGES, json=template_body(to="not a number"))
    client.post(MESSAGES, json=template_body(to="+4915100000002", name="nope"))
    got = [(a.to, a.http_status, a.error_code) for a in emulator.arrivals()]
    assert got == [
        ("+4915100000001", 200, None),
        ("not a number", 400, 131009),
        ("+4915100000002", 400, 132001),
    ]
    assert all(a.wall > 1.7e9 for a in emulator.arrivals())
