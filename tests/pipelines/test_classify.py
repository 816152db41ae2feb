"""Inbound-reply classifier: tiers, scopes, languages, lexicon files.

Expected values are worked out by hand from compliance-rules §7 and the tier rules in
docs/inbound-classification.md, not copied from the classifier's output.
"""

from __future__ import annotations

import shutil
import tomllib
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ConfigError
from pipelines.classify import Classification, Lexicon, Tier, load_lexicon, normalize

SHIPPED = Path(__file__).resolve().parents[2] / "pipelines" / "lexicons"
LANGUAGES = {"en", "es", "pt", "fr", "de", "it", "nl", "pl", "ar", "hi", "id", "zh", "ru", "tr", "vi", "th"}

EXACT, LEADING, CONTAINS = Tier.EXACT, Tier.LEADING, Tier.CONTAINS
NOTHING = Classification()


def out(lang: str, kw: str, tier: Tier, scope: str = "all", complaint: bool = False) -> Classification:
    """A definitive opt-out."""
    return Classification(
        opt_out=True, complaint=complaint, scope=scope, language=lang, keyword=kw, tier=tier
    )


def review(lang: str, kw: str, scope: str = "all", complaint: bool = False) -> Classification:
    """An opt-out keyword inside the text: human review, no automatic opt-out."""
    return Classification(
        review=True, complaint=complaint, scope=scope, language=lang, keyword=kw, tier=CONTAINS
    )


def complaint(lang: str, kw: str, tier: Tier) -> Classification:
    return Classification(complaint=True, language=lang, keyword=kw, tier=tier)


def opt_in(lang: str, kw: str, tier: Tier) -> Classification:
    return Classification(opt_in=True, language=lang, keyword=kw, tier=tier)


def help_(lang: str, kw: str, tier: Tier) -> Classification:
    return Classification(help=True, language=lang, keyword=kw, tier=tier)


CASES: list[tuple[str, Classification]] = [
    # --- English opt-out, the three tiers
    ("STOP", out("en", "stop", EXACT)),
    ("ＳＴＯＰ", out("en", "stop", EXACT)),
    ("Stop 🛑", out("en", "stop", EXACT)),
    ("stop!!!", out("en", "stop", EXACT)),
    ("STOPALL", out("en", "stopall", EXACT)),
    ("opt-out", out("en", "opt out", EXACT)),
    ("Don't text me", out("en", "dont text me", EXACT)),
    ("End", out("en", "end", EXACT)),
    ("stop please", out("en", "stop", LEADING)),
    ("STOP sending me messages", out("en", "stop", LEADING)),
    ("unsubscribe me now", out("en", "unsubscribe", LEADING)),
    ("STOP. Never message me again", out("en", "stop", LEADING)),
    ("please stop", out("en", "stop", LEADING)),
    ("I want to unsubscribe", out("en", "unsubscribe", LEADING)),
    ("Hi! Please unsubscribe me", out("en", "unsubscribe", LEADING)),
    ("Remove me from your list", out("en", "remove me", LEADING)),
    ("STOP 退订", out("en", "stop", LEADING)),
    ("STOP spamming me", out("en", "stop spamming", LEADING, complaint=True)),
    ("don't stop", review("en", "stop")),
    ("never stop", review("en", "stop")),
    ("non-stop", review("en", "stop")),
    ("stop by the store", review("en", "stop")),
    ("cancel my order", review("en", "cancel")),
    ("How much? Unsubscribe", review("en", "unsubscribe")),
    ("Who is this? Stop texting me", review("en", "stop", complaint=True)),
    # --- scope: a phrase that names a category opts out of marketing only
    ("stop promotions", out("en", "stop promotions", EXACT, scope="marketing")),
    ("Stop ads", out("en", "stop ads", EXACT, scope="marketing")),
    ("Stop sending me promotions please", out("en", "stop", LEADING, scope="marketing")),
    ("Stop all promotional messages", out("en", "stop all", LEADING, scope="marketing")),
    ("I said stop promotions yesterday", review("en", "stop promotions", scope="marketing")),
    ("退订营销", out("zh", "退订营销", EXACT, scope="marketing")),
    ("停止推广", out("zh", "停止推广", EXACT, scope="marketing")),
    # --- short tokens: whole message only
    ("T", out("zh", "t", EXACT)),
    ("TD", out("zh", "td", EXACT)),
    ("N", out("zh", "n", EXACT)),
    ("TC", out("vi", "tc", EXACT)),
    ("قف", out("ar", "قف", EXACT)),
    ("T please", NOTHING),
    ("Please send the TD docs", NOTHING),
    ("I love this T-shirt", NOTHING),
    ("Tottenham", NOTHING),
    ("weekend deals?", NOTHING),
    ("By the end of the month", NOTHING),
    ("Remove the logo please", NOTHING),
    # --- other languages
    ("ARRÊT", out("fr", "arret", EXACT)),
    ("Arrête de m'envoyer des messages", out("fr", "arrete", LEADING)),
    ("Je veux me désabonner", out("fr", "me desabonner", LEADING)),
    ("Bitte abmelden", out("de", "abmelden", LEADING)),
    ("İPTAL", out("tr", "iptal", EXACT)),
    ("Lütfen iptal", out("tr", "iptal", LEADING)),
    ("إلغاء الاشتراك", out("ar", "إلغاء الاشتراك", EXACT)),
    ("من فضلك ايقاف الرسائل", out("ar", "ايقاف", LEADING)),
    ("बंद करो", out("hi", "बंद करो", EXACT)),
    ("कृपया बंद करो", out("hi", "बंद करो", LEADING)),
    ("band karo", out("hi", "band karo", EXACT)),
    ("berhenti", out("id", "berhenti", EXACT)),
    ("Tolong berhenti kirim pesan", out("id", "berhenti", LEADING)),
    ("Keluar", out("id", "keluar", EXACT)),
    ("hủy", out("vi", "huy", EXACT)),
    ("Dừng lại", out("vi", "dung lai", EXACT)),
    ("Dùng thế nào?", NOTHING),
    ("СТОП", out("ru", "стоп", EXACT)),
    ("Отпишите меня, пожалуйста", out("ru", "отпишите меня", LEADING)),
    ("Хватит ли 500 штук?", NOTHING),
    ("หยุด", out("th", "หยุด", EXACT)),
    ("หยุดส่งข้อความครับ", out("th", "หยุด", LEADING)),
    ("退订", out("zh", "退订", EXACT)),
    ("请退订", out("zh", "退订", LEADING)),
    ("我要退订", out("zh", "退订", LEADING)),
    ("不要再发了", out("zh", "不要再发", LEADING)),
    ("请不要再发消息给我", out("zh", "不要再发", LEADING)),
    ("这款停止生产了吗", review("zh", "停止")),
    ("Para", out("es", "para", EXACT)),
    ("No más", out("es", "no mas", EXACT)),
    ("Para mi tienda necesito 500 piezas", NOTHING),
    ("No más de 500 unidades", NOTHING),
    ("Pare de enviar mensagens", out("pt", "pare", LEADING)),
    ("Quando chega o pedido?", NOTHING),
    # --- complaints
    ("who gave you my number?", complaint("en", "who gave you my number", EXACT)),
    ("I never signed up", complaint("en", "never signed up", CONTAINS)),
    ("this is spam", complaint("en", "spam", CONTAINS)),
    ("Spam!!! Who is this", complaint("en", "spam", CONTAINS)),
    ("wrong number", complaint("en", "wrong number", EXACT)),
    ("Please send the test report", NOTHING),
    ("骚扰", complaint("zh", "骚扰", EXACT)),
    ("举报", complaint("zh", "举报", EXACT)),
    ("Quién es?", complaint("es", "quien es", EXACT)),
    ("Wie is dit?", complaint("nl", "wie is dit", EXACT)),
    ("Кто это? Откуда у вас мой номер", complaint("ru", "кто это", CONTAINS)),
    ("Kimsiniz?", complaint("tr", "kimsiniz", EXACT)),
    # --- opt-in and help: exact or leading only
    ("START", opt_in("en", "start", EXACT)),
    ("Unstop", opt_in("en", "unstop", EXACT)),
    ("Yes please", opt_in("en", "yes", LEADING)),
    ("我要订阅", opt_in("zh", "订阅", LEADING)),
    ("HELP", help_("en", "help", EXACT)),
    ("INFO", help_("en", "info", EXACT)),
    ("help me please", help_("en", "help", LEADING)),
    ("帮助", help_("zh", "帮助", EXACT)),
    ("AYUDA", help_("es", "ayuda", EXACT)),
    ("Can you help me choose a model?", NOTHING),
    # --- ordinary messages
    ("What is the price for 500 units?", NOTHING),
    ("多少钱", NOTHING),
    ("Obrigado!", NOTHING),
    ("Merci", NOTHING),
    ("🛑🛑", NOTHING),
    ("", NOTHING),
]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 60
    assert len({text for text, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text or "<empty>" for text, _ in CASES])
def test_classify_text(lexicon: Lexicon, text: str, expected: Classification) -> None:
    assert lexicon.classify_text(text) == expected


def test_none_matches_nothing(lexicon: Lexicon) -> None:
    assert lexicon.classify_text(None) == NOTHING


def test_classify_many_keeps_order(lexicon: Lexicon) -> None:
    texts = ["多少钱", "STOP", None, "骚扰", "START"]
    assert lexicon.classify_many(texts) == [
        NOTHING,
        out("en", "stop", EXACT),
        NOTHING,
        complaint("zh", "骚扰", EXACT),
        opt_in("en", "start", EXACT),
    ]


@pytest.mark.parametrize(
    ("payload", "label", "expected"),
    [
        ("STOP_PROMO", "Stop promotions", out("en", "stop promo", EXACT, scope="marketing")),
        (None, "Stop promotions", out("en", "stop promotions", EXACT, scope="marketing")),
        ("STOP-PROMO", None, out("en", "stop promo", EXACT, scope="marketing")),
        ("UNSUBSCRIBE", "Unsubscribe", out("en", "unsubscribe", EXACT)),
        ("btn_42", "Unsubscribe", out("en", "unsubscribe", EXACT)),
        ("opt-out", None, out("en", "opt out", EXACT)),
        # The two sides disagree on the scope: the wider one applies.
        ("STOP_PROMO", "Unsubscribe", out("en", "stop promo", EXACT, scope="all")),
        ("PRICE_LIST", "Send me prices", NOTHING),
        (None, None, NOTHING),
    ],
)
def test_classify_button(
    lexicon: Lexicon, payload: str | None, label: str | None, expected: Classification
) -> None:
    assert lexicon.classify_button(payload, label) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＳＴＯＰ", "stop"),
        ("ARRÊT", "arret"),
        ("İPTAL", "iptal"),
        ("Hủy ĐĂNG KÝ", "huy dang ky"),
        ("Don’t  text me!!", "dont text me"),
        ("Stop 🛑 ❤️ 👍🏽", "stop"),
        ("T-shirt", "t shirt"),
        ("СТОП, пожалуйста", "стоп пожалуиста"),
        # Marks that are part of the spelling stay: Devanagari anusvara, Thai vowels.
        ("बंद करो!", "बंद करो"),
        ("หยุด", "หยุด"),
        ("退订。", "退订"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


# --- lexicon files ---------------------------------------------------------------------------


def test_every_shipped_file_loads_on_its_own(tmp_path: Path) -> None:
    files = sorted(SHIPPED.glob("*.toml"))
    assert {f.stem for f in files} == LANGUAGES
    for file in files:
        folder = tmp_path / file.stem
        folder.mkdir()
        shutil.copy(file, folder)
        assert load_lexicon(folder).languages == (file.stem,)


def test_default_folder_is_the_shipped_one(lexicon: Lexicon) -> None:
    assert set(lexicon.languages) == LANGUAGES
    assert load_lexicon(SHIPPED).version == lexicon.version


@pytest.mark.parametrize("file", sorted(SHIPPED.glob("*.toml")), ids=lambda p: p.name)
def test_no_entry_in_two_conflicting_categories(file: Path) -> None:
    raw = tomllib.loads(file.read_text(encoding="utf-8"))
    opt_out = raw.get("opt_out", {})
    leading = raw.get("leading", {})
    groups = {
        "opt_out": [
            w for key in ("keywords", "anchored", "exact_only", "marketing") for w in opt_out.get(key, [])
        ],
        "opt_in": raw.get("opt_in", {}).get("keywords", []),
        "help": raw.get("help", {}).get("keywords", []),
        "ignorable": leading.get("prefixes", []) + leading.get("fillers", []),
        "marketing_words": leading.get("marketing_words", []),
    }
    normalised = {name: {normalize(w) for w in words} for name, words in groups.items()}
    for first, second in combinations(normalised, 2):
        assert not normalised[first] & normalised[second], (first, second)


def test_no_entry_opts_out_in_one_language_and_in_in_another() -> None:
    by_category: dict[str, set[str]] = {"opt_out": set(), "opt_in": set(), "help": set()}
    for file in SHIPPED.glob("*.toml"):
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
        for words in raw.get("opt_out", {}).values():
            by_category["opt_out"].update(normalize(w) for w in words)
        by_category["opt_in"].update(normalize(w) for w in raw.get("opt_in", {}).get("keywords", []))
        by_category["help"].update(normalize(w) for w in raw.get("help", {}).get("keywords", []))
    for first, second in combinations(by_category, 2):
        assert not by_category[first] & by_category[second], (first, second)


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_version_follows_the_files(tmp_path: Path) -> None:
    folder = tmp_path / "lex"
    shutil.copytree(SHIPPED, folder)
    first = load_lexicon(folder).version
    assert load_lexicon(folder).version == first
    en = folder / "en.toml"
    en.write_text(en.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    second = load_lexicon(folder).version
    assert second != first
    (folder / "it.toml").unlink()
    assert load_lexicon(folder).version not in (first, second)


def test_added_language_file_is_used(tmp_path: Path) -> None:
    folder = tmp_path / "lex"
    _write(
        folder,
        "ja.toml",
        'language = "ja"\n[opt_out]\nkeywords = ["配信停止"]\n[leading]\nfillers = ["して"]\n',
    )
    lexicon = load_lexicon(folder)
    assert lexicon.classify_text("配信停止して") == out("ja", "配信停止", LEADING)
    assert lexicon.classify_text("配信停止はいつ？") == review("ja", "配信停止")


def test_short_entries_added_by_users_are_exact_only(tmp_path: Path) -> None:
    folder = tmp_path / "lex"
    _write(
        folder,
        "xx.toml",
        'language = "xx"\n[opt_out]\nkeywords = ["NO", "NOPE"]\n[leading]\nfillers = ["THANKS"]\n',
    )
    lexicon = load_lexicon(folder)
    assert lexicon.classify_text("No!") == out("xx", "no", EXACT)
    assert lexicon.classify_text("no thanks") == NOTHING
    assert lexicon.classify_text("nope thanks") == out("xx", "nope", LEADING)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('language = "xx"\n[opt_out\nkeywords = ["STOP"]\n', "not valid TOML"),
        ('language = "xx"\n[opt_out]\nkeyword = ["STOP"]\n', "unknown key 'opt_out.keyword'"),
        ('language = "xx"\ncolour = "red"\n', "unknown key 'colour'"),
        ('language = "xx"\n[opt_out]\nkeywords = "STOP"\n', "must be a list of strings"),
        ('language = "en"\n', "'language' must be 'xx'"),
        ('language = "xx"\n[opt_out]\nkeywords = ["🛑"]\n', "empty once punctuation"),
        ('language = "xx"\n[opt_out]\nkeywords = ["STOP"]\n[opt_in]\nkeywords = ["stop!"]\n', "'stop'"),
        ('language = "xx"\n[opt_out]\nkeywords = ["STOP"]\nmarketing = ["Stop"]\n', "marketing-only"),
    ],
)
def test_bad_lexicon_file_names_the_file(tmp_path: Path, content: str, problem: str) -> None:
    folder = tmp_path / "lex"
    bad = _write(folder, "xx.toml", content)
    with pytest.raises(ConfigError) as caught:
        load_lexicon(folder)
    assert str(bad) in str(caught.value)
    assert problem in str(caught.value)


def test_conflict_between_two_files_names_both(tmp_path: Path) -> None:
    folder = tmp_path / "lex"
    _write(folder, "aa.toml", 'language = "aa"\n[opt_out]\nkeywords = ["BASTA"]\n')
    _write(folder, "bb.toml", 'language = "bb"\n[opt_in]\nkeywords = ["basta"]\n')
    with pytest.raises(ConfigError) as caught:
        load_lexicon(folder)
    assert "aa.toml" in str(caught.value)
    assert "bb.toml" in str(caught.value)


def test_missing_or_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_lexicon(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match=r"no \*\.toml"):
        load_lexicon(tmp_path)


# --- robustness ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_classify_text_never_raises(lexicon: Lexicon, text: str) -> None:
    result = lexicon.classify_text(text)
    assert not (result.opt_out and result.review)
    assert (result.scope is not None) == (result.opt_out or result.review)
    assert (result.keyword is None) == (result.tier is None) == (result.language is None)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=60)), st.one_of(st.none(), st.text(max_size=60)))
def test_classify_button_never_raises(lexicon: Lexicon, payload: str | None, label: str | None) -> None:
    lexicon.classify_button(payload, label)
