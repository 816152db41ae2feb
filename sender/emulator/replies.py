"""What emulated users write back, per language: ordinary replies, opt-outs and complaints.

Opt-outs and complaints are phrases people really send (and that the receiver's lexicons know);
ordinary replies steer clear of those words so a test can tell the three apart.
"""

from __future__ import annotations

from core.phones import region_of

REPLIES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "reply": (
            "Thanks!",
            "Is this still available?",
            "What sizes do you have?",
            "Great, see you Sunday 👍",
        ),
        "stop": ("STOP", "Unsubscribe", "stop promotions", "Please remove me"),
        "complaint": (
            "spam",
            "I never signed up for this",
            "Who gave you my number?",
            "This is spam, reporting you",
        ),
        "names": ("Emily Carter", "James", "Olivia B.", "Noah"),
    },
    "es": {
        "reply": ("¡Gracias!", "¿Todavía está disponible?", "Me interesa, ¿cuánto cuesta?", "Perfecto 👍"),
        "stop": ("BAJA", "parar", "Dar de baja", "No quiero mensajes"),
        "complaint": ("No me suscribí a esto", "Número equivocado", "Esto es una estafa", "Voy a denunciar"),
        "names": ("María García", "Carlos", "Lucía M.", "Javier"),
    },
    "pt": {
        "reply": ("Obrigado!", "Ainda tem em estoque?", "Quanto custa o frete?", "Legal 👍"),
        "stop": ("PARE", "parar", "Sair da lista", "Cancelar"),
        "complaint": ("Não me cadastrei", "Número errado", "Isso é golpe", "Vou denunciar"),
        "names": ("Ana Souza", "João", "Beatriz L.", "Pedro"),
    },
    "zh": {
        "reply": ("谢谢！", "还有货吗？", "周日几点开门？", "好的 👍"),
        "stop": ("退订", "TD", "不要再发了", "取消订阅"),
        "complaint": ("举报", "垃圾信息", "我没订阅过", "谁给你的号码"),
        "names": ("王芳", "李伟", "张敏", "刘洋"),
    },
    "ar": {
        "reply": ("شكرا لك", "هل المنتج متوفر؟", "كم السعر؟", "ممتاز 👍"),
        "stop": ("إيقاف", "الغاء الاشتراك", "لا ترسل", "توقف"),
        "complaint": ("سبام", "من أنت", "رسائل مزعجة", "سأبلغ عنك"),
        "names": ("محمد", "فاطمة", "أحمد", "نور"),
    },
    "hi": {
        "reply": ("धन्यवाद!", "क्या यह अभी भी उपलब्ध है?", "कीमत क्या है?", "ठीक है 👍"),
        "stop": ("बंद करो", "मत भेजो", "सदस्यता रद्द", "BAND KARO"),
        "complaint": ("स्पैम", "आप कौन हो?", "मेरा नंबर कहां से मिला?", "धोखा"),
        "names": ("Priya Sharma", "Rahul", "अनीता", "Vikram"),
    },
    "id": {
        "reply": ("Terima kasih!", "Masih ada stok?", "Harganya berapa?", "Oke 👍"),
        "stop": ("BERHENTI", "STOP", "Berhenti langganan", "Batal"),
        "complaint": ("Siapa ini?", "Saya tidak daftar", "Nomor salah", "Penipuan"),
        "names": ("Siti Rahma", "Budi", "Dewi", "Agus"),
    },
}

# the language people in a region write in, when the template's language is not one of ours
_REGION_LANGUAGE = {
    **dict.fromkeys(
        ("ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "GT", "CU", "BO", "DO", "UY", "PY"), "es"
    ),
    **dict.fromkeys(("BR", "PT", "AO", "MZ"), "pt"),
    **dict.fromkeys(("CN", "TW", "HK", "MO", "SG"), "zh"),
    **dict.fromkeys(("SA", "AE", "EG", "JO", "KW", "QA", "BH", "OM", "MA", "DZ", "TN", "IQ", "LB"), "ar"),
    "IN": "hi",
    "ID": "id",
}


def reply_language(template_language: str | None, wa_id: str) -> str:
    """The language a recipient answers in: the template's, else their region's, else English."""
    if template_language:
        primary = template_language.replace("-", "_").split("_", 1)[0].lower()
        if primary in REPLIES:
            return primary
    return _REGION_LANGUAGE.get(region_of("+" + wa_id), "en")
