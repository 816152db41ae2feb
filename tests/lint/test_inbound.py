"""The linter's reading of the inbound lexicon (lint.inbound) agrees with the reply classifier itself."""

from __future__ import annotations

import pytest

from lint.inbound import inbound_lexicon, normalize
from pipelines.classify import Lexicon, Tier, load_lexicon
from pipelines.classify import normalize as pipeline_normalize

SAMPLES = [
    "STOP",
    "stop please",
    "Stop sending me messages",
    "Stop promotions",
    "UNSUBSCRIBE ME",
    "take me off your list",
    "ARRÊT",
    "STOPP",
    "TD",
    "T",
    "退订",
    "别发了",
    "停止",
    "BAJA",
    "hủy",
    "İPTAL",
    "إيقاف",
    "END",
    "remove",
    "NOMORE",
    "OUT",
    "0",
    "YES",
    "START",
    "HELP",
    "end of the month",
    "remove the logo",
    "weekend sale",
    "ok thanks",
    "When does my order arrive?",
]
REPLIES = [
    *SAMPLES,
    "non-stop",
    "cancel my order",
    "please end",
    "Who is this?",
    "I never signed up",
    "wrong number",
    "who gave you my number??",
    "回复TD退订",
    "你是谁",
    "Cuándo llega mi pedido?",
    "Is there a weekend sale?",
]


@pytest.fixture(scope="module")
def classifier() -> Lexicon:
    return load_lexicon()


def test_normalisation_matches_the_classifier_on_every_entry_and_sample() -> None:
    lexicon = inbound_lexicon()
    texts = [*lexicon.opt_out, *lexicon.complaint, *REPLIES, "Don’t text me — ARRÊT!", "ＳＴＯＰ 🛑!!"]
    assert [normalize(t) for t in texts] == [pipeline_normalize(t) for t in texts]


@pytest.mark.parametrize("keyword", SAMPLES)
def test_recognised_keywords_are_what_the_classifier_takes_as_a_definitive_opt_out(
    classifier: Lexicon, keyword: str
) -> None:
    found = classifier.classify_text(keyword)
    definitive = found.opt_out and found.tier in (Tier.EXACT, Tier.LEADING)
    assert inbound_lexicon().recognises(keyword) == definitive


@pytest.mark.parametrize("reply", REPLIES)
def test_alarming_replies_are_opt_outs_reviews_or_complaints_for_the_classifier(
    classifier: Lexicon, reply: str
) -> None:
    found = classifier.classify_text(reply)
    expected = found.opt_out or found.review or found.complaint
    # "please end": the polite prefix is skipped by both, so the anchored END still opens the reply
    assert (inbound_lexicon().alarming(reply) is not None) == expected


def test_every_opt_out_button_word_is_known_to_the_handler() -> None:
    from lint.packs import load_packs

    lexicon = inbound_lexicon()
    assert sorted(w for w in load_packs().optout_buttons if not lexicon.recognises(w)) == []
