"""WhatsApp error code -> analytics class (whatsapp-platform.md §7), for failure-spike rules.

The same classes as the dashboard's reference table (``dashboard/reference/error_codes.toml``);
a test keeps the two in agreement until the table moves to a package both can import.
"""

from __future__ import annotations

UNKNOWN = "unknown"

_CLASSES: dict[str, tuple[int, ...]] = {
    "auth": (0, 3, 10, 190, 131005),
    "transient": (1, 2, 131000, 131016, 131057),
    "throttle": (4, 80007, 130429, 131056, 132069),
    "config": (
        33,
        100,
        130403,
        131008,
        131009,
        131021,
        131030,
        131037,
        131045,
        131051,
        131053,
        131055,
        131062,
        131063,
        132000,
        132001,
        132005,
        132008,
        132012,
        132018,
        132068,
        134011,
        135000,
    ),
    "policy": (368, 130497, 131031, 131064, 132007),
    "window": (470, 131047),
    "holdout": (130472,),
    "recipient": (131026, 137000),
    "billing": (131042, 131044),
    "quality": (131048, 131049, 132015, 132016),
    "opt_out": (131050,),
}
_BY_CODE = {code: name for name, codes in _CLASSES.items() for code in codes}
_RANGES = ((200, 299, "auth"), (133000, 133016, "config"))


def error_class(code: int | None) -> str:
    """The class of an error code; ``unknown`` for codes not in the table (and for no code)."""
    if code is None:
        return UNKNOWN
    if code in _BY_CODE:
        return _BY_CODE[code]
    for first, last, name in _RANGES:
        if first <= code <= last:
            return name
    return UNKNOWN
