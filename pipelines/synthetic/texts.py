"""What recipients write back, by language and intent.

The intents match what the pipelines classify (compliance-rules.md §7): definitive opt-outs in
many scripts (including full-width ``ＳＴＯＰ`` and the Chinese ``T`` convention), ambiguous
texts that contain an opt-out word but must only be flagged, complaints, help and opt-in
keywords, and the ordinary questions that make up most replies.
"""

from __future__ import annotations

ORDINARY: dict[str, tuple[str, ...]] = {
    "en": (
        "What is the price for 500 units?",
        "Can you send me the catalog?",
        "What's the MOQ?",
        "Do you ship to Lagos?",
        "Is this still available?",
        "Thanks, received",
        "How long does shipping take?",
        "Can I get a sample first?",
        "ok",
        "Do you accept PayPal?",
        "Thank you!",
    ),
    "es": (
        "¿Tienen envío a Lima?",
        "¿Cuál es el precio por 100 piezas?",
        "Gracias",
        "Me interesa, envíeme el catálogo",
        "¿Cuánto tarda el envío a Bogotá?",
    ),
    "pt": ("Obrigado!", "Qual o valor do frete para São Paulo?", "Tem pronta entrega?", "Aceitam Pix?"),
    "fr": ("Quel est le délai de livraison ?", "Merci beaucoup", "Vous livrez à Abidjan ?"),
    "de": ("Wie lange dauert der Versand nach Berlin?", "Danke!", "Gibt es Mengenrabatt?"),
    "it": ("Quanto costa la spedizione?", "Grazie mille"),
    "nl": ("Wat kost verzending naar Rotterdam?", "Bedankt!"),
    "pl": ("Ile kosztuje wysyłka do Polski?", "Dziękuję"),
    "tr": ("Fiyat nedir?", "Teşekkürler", "İstanbul'a kargo var mı?"),
    "ar": ("كم السعر؟", "شكرا", "هل يوجد شحن إلى جدة؟"),
    "id": ("Berapa harga grosir?", "Terima kasih", "Bisa kirim ke Surabaya?"),
    "vi": ("Giá bao nhiêu?", "Cảm ơn", "Có ship về Hà Nội không?"),
    "th": ("ราคาเท่าไหร่", "ขอบคุณครับ"),
    "ru": ("Сколько стоит доставка в Алматы?", "Спасибо", "Какой минимальный заказ?"),
    "zh": ("多少钱", "谢谢", "最低起订量是多少？", "什么时候发货？"),
    "hi": ("Price kya hai?", "धन्यवाद", "Delivery kab tak hogi?"),
}

OPT_OUT: dict[str, tuple[str, ...]] = {
    "en": (
        "STOP",
        "stop please",
        "Stop",
        "UNSUBSCRIBE",
        "ＳＴＯＰ",
        "STOP ALL",
        "Remove me from this list",
        "T",
    ),
    "es": ("BAJA", "Baja por favor", "NO MÁS mensajes", "Cancelar"),
    "pt": ("PARAR", "Sair", "Não quero mais"),
    "fr": ("ARRÊT", "STOP", "Désabonner"),
    "de": ("Abmelden", "STOPP", "Abbestellen"),
    "it": ("BASTA", "Cancellami"),
    "nl": ("Afmelden", "STOP"),
    "pl": ("Wypisz mnie", "STOP"),
    "tr": ("İPTAL", "DUR"),
    "ar": ("إيقاف", "الغاء الاشتراك"),
    "id": ("berhenti", "BERHENTI", "stop"),
    "vi": ("DỪNG", "Hủy"),
    "th": ("หยุด", "ยกเลิก"),
    "ru": ("СТОП", "Отписаться"),
    "zh": ("退订", "TD", "T", "别发了"),
    "hi": ("बंद करो", "BAND KARO"),
}

# Contain an opt-out word but are not opt-outs: a pipeline may flag them, never act on them.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "en": (
        "don't stop sending me deals",
        "stop by the store tomorrow",
        "I'll stop by your booth at the Canton Fair",
        "Why did my parcel stop moving at customs?",
    ),
    "es": ("¿Para cuándo llega el pedido?",),
    "de": ("Bitte nicht abmelden, ich will die Angebote",),
    "zh": ("不要停止发优惠信息给我",),
}

COMPLAINT: dict[str, tuple[str, ...]] = {
    "en": (
        "who gave you my number?",
        "this is spam",
        "I never signed up",
        "How did you get my number?",
        "wrong number",
        "Reported.",
    ),
    "es": ("Esto es spam", "¿Quién es? Número equivocado", "No me suscribí a nada"),
    "pt": ("Não me cadastrei", "Número errado", "Vou denunciar"),
    "fr": ("Qui est-ce ? Je ne suis pas inscrit",),
    "de": ("Wer ist das? Nie angemeldet", "Falsche Nummer"),
    "zh": ("骚扰", "举报", "你是谁", "我没订阅过", "垃圾信息"),
    "ar": ("إزعاج", "من أنت؟", "سبام"),
    "id": ("Siapa ini?", "Saya tidak daftar"),
    "ru": ("Кто это?", "Спам", "Я не подписывался"),
    "tr": ("Kimsiniz?", "Şikayet edeceğim"),
    "hi": ("pareshan mat karo", "spam"),
}
OTP_COMPLAINT: tuple[str, ...] = (
    "I didn't request this code",
    "我没有申请验证码",
    "Who is trying to log in?",
)

HELP: dict[str, tuple[str, ...]] = {
    "en": ("HELP", "INFO"),
    "es": ("AYUDA",),
    "pt": ("AJUDA",),
    "fr": ("AIDE",),
    "de": ("Hilfe",),
    "zh": ("帮助",),
    "ar": ("مساعدة",),
    "id": ("BANTUAN",),
}
OPT_IN: dict[str, tuple[str, ...]] = {
    "en": ("START", "YES"),
    "es": ("ALTA",),
    "pt": ("SIM",),
    "de": ("Anmelden",),
    "zh": ("订阅",),
}
OTP_QUESTIONS: tuple[str, ...] = ("The code is not working", "código no llega", "验证码过期了")

CAPTIONS: dict[str, tuple[str, ...]] = {
    "en": ("Is this the same model?", "Received damaged 😞", "Do you have this in black?"),
    "es": ("¿Tienen este modelo?",),
    "pt": ("Tem essa cor?",),
    "zh": ("这个有现货吗",),
}
EDITS: tuple[str, ...] = ("Sorry, I meant 1000 units", "*500 pcs", "Correction: ship to Dubai")
REACTIONS: tuple[str, ...] = ("👍", "❤️", "🙏", "😮", "😂", "👎")

# Replies to interactive (free-form) messages the agent sends inside the service window.
REPLY_BUTTONS: tuple[tuple[str, str], ...] = (
    ("ship_sea", "Sea freight"),
    ("ship_air", "Air freight"),
    ("talk_agent", "Talk to an agent"),
)
LIST_ROWS: tuple[tuple[str, str, str], ...] = (
    ("sku_1042", "LED panel 600x600", "MOQ 100 pcs"),
    ("sku_2210", "Solar street light 100W", "MOQ 50 pcs"),
    ("sku_3307", "Power bank 20000mAh", "MOQ 200 pcs"),
)


def pick(table: dict[str, tuple[str, ...]], language: str) -> tuple[str, ...]:
    """The texts of ``language``, or the English ones when the table has none."""
    return table.get(language) or table["en"]
