"""Emulated replies mean what they say: the receiver's own lexicons classify them as intended."""

from __future__ import annotations

import pytest

from pipelines.classify import load_lexicon
from sender.emulator.replies import REPLIES, reply_language


@pytest.mark.parametrize("language", sorted(REPLIES))
def test_stop_texts_opt_out_complaints_complain_and_replies_do_neither(language: str) -> None:
    lexicon = load_lexicon()
    for text in REPLIES[language]["stop"]:
        assert lexicon.classify_text(text).opt_out, (language, text)
    for text in REPLIES[language]["complaint"]:
        found = lexicon.classify_text(text)
        assert found.complaint or found.opt_out, (language, text)
    for text in REPLIES[language]["reply"]:
        found = lexicon.classify_text(text)
        assert not (found.opt_out or found.review or found.complaint), (language, text)


def test_at_least_seven_languages_with_stop_words_in_their_own_script() -> None:
    assert {"en", "es", "pt", "zh", "ar", "hi", "id"} <= set(REPLIES)
    assert "退订" in REPLIES["zh"]["stop"] and "parar" in REPLIES["pt"]["stop"]


@pytest.mark.parametrize(
    ("template_language", "number", "expected"),
    [
        ("zh_CN", "4915100000001", "zh"),
        ("pt_BR", "4915100000001", "pt"),
        ("es", "8613800138000", "es"),
        ("fr", "8613800138000", "zh"),  # no French replies: the recipient's region decides
        ("de", "4915100000001", "en"),
        (None, "5511987654321", "pt"),
        (None, "919876543210", "hi"),
    ],
)
def test_reply_language(template_language: str | None, number: str, expected: str) -> None:
    assert reply_language(template_language, number) == expected
