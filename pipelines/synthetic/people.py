"""Recipients: valid mobile numbers in many countries, a language that fits, a profile name.

Numbers come from libphonenumber's example mobile number of each region with the trailing
digits varied; a candidate is kept only when ``phonenumbers.is_valid_number`` accepts it, so
every number the generator writes is one the pipelines' phone handling must accept.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberType

from core.errors import InputError, InternalError


@dataclass(frozen=True, slots=True)
class Region:
    """A recipient country: its weight in the audience, template locale and reply languages."""

    code: str
    weight: int
    locale: str  # template language the business picks for people there
    speech: tuple[str, ...]  # languages people there write in; repeats weight the choice


REGIONS: tuple[Region, ...] = (
    Region("US", 8, "en_US", ("en",)),
    Region("CA", 2, "en_US", ("en", "en", "en", "fr")),
    Region("MX", 7, "es_MX", ("es",)),
    Region("BR", 8, "pt_BR", ("pt",)),
    Region("CO", 3, "es_MX", ("es",)),
    Region("AR", 2, "es_AR", ("es",)),
    Region("PE", 1, "es_MX", ("es",)),
    Region("CL", 1, "es_MX", ("es",)),
    Region("GB", 4, "en_GB", ("en",)),
    Region("DE", 5, "de", ("de", "de", "de", "en")),
    Region("FR", 3, "fr", ("fr",)),
    Region("ES", 3, "es_ES", ("es",)),
    Region("IT", 2, "it", ("it", "it", "en")),
    Region("NL", 2, "nl", ("nl", "en")),
    Region("PL", 2, "pl", ("pl", "en")),
    Region("TR", 3, "tr", ("tr",)),
    Region("RU", 3, "ru", ("ru",)),
    Region("KZ", 1, "ru", ("ru",)),
    Region("IN", 8, "en_US", ("en", "en", "hi")),
    Region("PK", 1, "en_US", ("en",)),
    Region("AE", 4, "ar", ("ar", "en")),
    Region("SA", 4, "ar", ("ar",)),
    Region("EG", 3, "ar", ("ar",)),
    Region("ID", 5, "id", ("id",)),
    Region("MY", 3, "ms", ("id", "en", "zh")),
    Region("SG", 2, "en_US", ("en", "zh")),
    Region("PH", 3, "en_US", ("en",)),
    Region("VN", 3, "vi", ("vi",)),
    Region("TH", 2, "th", ("th",)),
    Region("NG", 3, "en_US", ("en",)),
    Region("KE", 1, "en_US", ("en",)),
    Region("ZA", 2, "en_US", ("en",)),
    Region("AU", 2, "en_US", ("en",)),
)

# people who do not speak the region's main language get templates in their own
_SECOND_LANGUAGE_LOCALE = {"en": "en_US", "fr": "fr", "zh": "zh_CN"}
_TRAILING_DIGITS = 7  # varied digits; the leading ones keep the mobile prefix of the example

_FIRST: dict[str, tuple[str, ...]] = {
    "en": ("James", "Mary", "Priya", "Chidi", "Olivia", "Rahul", "Grace", "Tom", "Aisha", "Kevin"),
    "es": ("María", "José", "Valentina", "Carlos", "Lucía", "Andrés", "Camila", "Diego"),
    "pt": ("João", "Ana", "Lucas", "Beatriz", "Rafael", "Juliana", "Thiago"),
    "fr": ("Camille", "Lucas", "Chloé", "Mamadou", "Léa", "Hugo"),
    "de": ("Lukas", "Anna", "Jonas", "Lena", "Felix", "Sophie"),
    "it": ("Giulia", "Marco", "Francesca", "Luca"),
    "nl": ("Daan", "Emma", "Sem", "Julia"),
    "pl": ("Jan", "Zofia", "Kacper", "Maja"),
    "tr": ("Mehmet", "Ayşe", "Emre", "Zeynep"),
    "ru": ("Алексей", "Ольга", "Dmitry", "Айгерим", "Nikolai"),
    "ar": ("محمد", "Ahmed", "فاطمة", "Omar", "Layla", "خالد"),
    "hi": ("Amit", "Sunita", "राहुल", "Pooja"),
    "id": ("Budi", "Siti", "Agus", "Dewi", "Ahmad"),
    "vi": ("Nguyễn", "Trang", "Minh", "Linh"),
    "th": ("สมชาย", "Nok", "Anan", "Ploy"),
    "zh": ("伟", "Wei", "丽", "Jason", "Mei"),
}
_LAST: dict[str, tuple[str, ...]] = {
    "en": ("Smith", "Okafor", "Sharma", "Brown", "Williams", "Naidoo", "Walker"),
    "es": ("García", "Rodríguez", "Martínez", "López", "Hernández"),
    "pt": ("Silva", "Santos", "Oliveira", "Souza"),
    "fr": ("Martin", "Bernard", "Diallo", "Dubois"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer"),
    "it": ("Rossi", "Russo", "Bianchi"),
    "nl": ("de Jong", "Jansen", "Bakker"),
    "pl": ("Nowak", "Kowalski", "Wiśniewska"),
    "tr": ("Yılmaz", "Kaya", "Demir"),
    "ru": ("Иванов", "Petrova", "Смирнов"),
    "ar": ("Al-Farsi", "الهاشمي", "Hassan", "Mansour"),
    "hi": ("Patel", "Gupta", "Singh"),
    "id": ("Santoso", "Wijaya", "Pratama"),
    "vi": ("Văn An", "Thị Hoa", "Tran"),
    "th": ("Srisuk", "Chaiyaporn"),
    "zh": ("王", "Li", "陈", "Tan", "Lim"),
}
_SHOPS = ("Trading LLC", "Import Export", "Store", "Distribuidora", "Group", "Ltda", "GmbH")
_DECORATIONS = (" 🌸", " ✨", " 🙏", " 🇧🇷", " ⚽", "")


@dataclass(frozen=True, slots=True)
class People:
    """Recipients as parallel columns (index = person id)."""

    e164: list[str]  # "+4915123456789", for the send log
    wa_id: list[str]  # the same number as bare digits, for webhooks
    region: list[str]
    locale: list[str]
    speech: list[str]
    name: list[str]

    def __len__(self) -> int:
        return len(self.e164)


def build_people(rng: random.Random, count: int) -> People:
    """``count`` distinct recipients spread over :data:`REGIONS` by weight."""
    regions = rng.choices(REGIONS, weights=[r.weight for r in REGIONS], k=count)
    wanted: dict[str, int] = {}
    for region in regions:
        wanted[region.code] = wanted.get(region.code, 0) + 1
    pools = {r.code: number_pool(rng, r.code, wanted[r.code]) for r in REGIONS if r.code in wanted}
    e164: list[str] = []
    speech: list[str] = []
    locales: list[str] = []
    names: list[str] = []
    for region in regions:
        e164.append(pools[region.code].pop())
        language = rng.choice(region.speech)
        speech.append(language)
        main = language == region.speech[0]
        locales.append(region.locale if main else _SECOND_LANGUAGE_LOCALE.get(language, region.locale))
        names.append(profile_name(rng, language))
    return People(
        e164=e164,
        wa_id=[number[1:] for number in e164],
        region=[r.code for r in regions],
        locale=locales,
        speech=speech,
        name=names,
    )


def number_pool(rng: random.Random, region: str, count: int) -> list[str]:
    """``count`` distinct valid mobile numbers of ``region`` in E.164."""
    example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    if example is None:
        raise InternalError(f"libphonenumber has no example mobile number for {region}")
    national = str(example.national_number)
    width = min(_TRAILING_DIGITS, len(national) - 3)
    head, space = national[:-width], 10**width
    if count > space // 4:
        raise InputError(
            f"the synthetic audience needs {count} numbers in {region}, more than its pool allows",
            hint="ask for fewer messages",
        )
    seen: set[int] = set()
    numbers: list[str] = []
    prefix = f"+{example.country_code}"
    while len(numbers) < count:
        tail = rng.randrange(space)
        if tail in seen:
            continue
        seen.add(tail)
        digits = head + str(tail).zfill(width)
        candidate = PhoneNumber(country_code=example.country_code, national_number=int(digits))
        if phonenumbers.is_valid_number(candidate):
            numbers.append(prefix + digits)
    return numbers


def profile_name(rng: random.Random, language: str) -> str:
    """A WhatsApp profile name as people set them: full, first name only, a shop, an emoji."""
    first = rng.choice(_FIRST[language])
    roll = rng.random()
    if roll < 0.55:
        return f"{first} {rng.choice(_LAST[language])}"
    if roll < 0.80:
        return first
    if roll < 0.90:
        return f"{rng.choice(_LAST[language])} {rng.choice(_SHOPS)}"
    return first + rng.choice(_DECORATIONS)
