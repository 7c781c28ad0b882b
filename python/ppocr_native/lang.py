"""``lang`` / ``ocr_version`` -> detection and recognition model names.

The mapping is PaddleOCR 3.x's (``paddleocr/_pipelines/ocr.py``), restated here as data,
with one change: the models no reachable package ships are replaced where an equivalent
downloadable model exists (``SUBSTITUTES``). Every other unobtainable name is returned
as-is, so resolving it raises ``ModelNotFoundError`` naming the ``*_model_dir`` to pass.
"""

from __future__ import annotations

import logging
from typing import Mapping, Optional, Tuple

from .errors import InvalidArgumentError

logger = logging.getLogger("ppocr_native")

OCR_VERSIONS = ("PP-OCRv3", "PP-OCRv4", "PP-OCRv5", "PP-OCRv6")

# Language-code groups (PaddleOCR's script families; a code may sit in two groups, the
# first match in a version's rule list wins).
LATIN = frozenset(
    "af az bs ca cs cy da de es et eu fi fr french ga german gl hr hu id is it ku la lb lt lv "
    "mi ms mt nl no oc pi pl pt qu rm ro rs_latin sk sl sq sv sw tl tr uz vi".split())
ARABIC = frozenset("ar bal fa ku ps sd ug ur".split())
ESLAV = frozenset("be ru uk".split())
CYRILLIC = frozenset(
    "abq ady ava ba be bg bua che cv dar inh kaa kbd kk kv ky lbe lez mhr mk mn mo os "
    "rs_cyrillic ru sah tab tg tt tyv udm uk xal".split())
DEVANAGARI = frozenset("ang bgc bh bho gom hi mah mai mr ne new sa sck".split())

# PP-OCRv6 covers these; PaddleOCR runs them with PP-OCRv6_medium, we with PP-OCRv6_small.
V6_LANGS = frozenset({"ch", "chinese_cht", "en", "japan"}) | (LATIN - {"pi"})
# Languages whose default version (ocr_version=None) is PP-OCRv5 / PP-OCRv3.
V5_DEFAULT_LANGS = (frozenset({"korean", "th", "el", "te", "ta"}) | ESLAV | ARABIC | CYRILLIC
                    | DEVANAGARI | (LATIN - V6_LANGS))
V3_DEFAULT_LANGS = frozenset({"ka"})

# (version, language group or single code, recognition model). First match wins.
_GROUP_NAMES: Mapping[str, frozenset] = {
    "latin": LATIN, "arabic": ARABIC, "eslav": ESLAV, "cyrillic": CYRILLIC,
    "devanagari": DEVANAGARI,
}
REC_RULES: Tuple[Tuple[str, str, str], ...] = (
    ("PP-OCRv6", "@v6", "PP-OCRv6_medium_rec"),
    ("PP-OCRv5", "ch", "PP-OCRv5_server_rec"),
    ("PP-OCRv5", "chinese_cht", "PP-OCRv5_server_rec"),
    ("PP-OCRv5", "japan", "PP-OCRv5_server_rec"),
    ("PP-OCRv5", "en", "en_PP-OCRv5_mobile_rec"),
    ("PP-OCRv5", "@latin", "latin_PP-OCRv5_mobile_rec"),
    ("PP-OCRv5", "@eslav", "eslav_PP-OCRv5_mobile_rec"),
    ("PP-OCRv5", "@arabic", "arabic_PP-OCRv5_mobile_rec"),
    ("PP-OCRv5", "@cyrillic", "cyrillic_PP-OCRv5_mobile_rec"),
    ("PP-OCRv5", "@devanagari", "devanagari_PP-OCRv5_mobile_rec"),
    *(("PP-OCRv5", code, f"{code}_PP-OCRv5_mobile_rec") for code in ("korean", "th", "el", "te", "ta")),
    ("PP-OCRv4", "ch", "PP-OCRv4_mobile_rec"),
    ("PP-OCRv4", "en", "en_PP-OCRv4_mobile_rec"),
    ("PP-OCRv3", "ch", "PP-OCRv3_mobile_rec"),
    ("PP-OCRv3", "@latin", "latin_PP-OCRv3_mobile_rec"),
    ("PP-OCRv3", "@arabic", "arabic_PP-OCRv3_mobile_rec"),
    ("PP-OCRv3", "@cyrillic", "cyrillic_PP-OCRv3_mobile_rec"),
    ("PP-OCRv3", "@devanagari", "devanagari_PP-OCRv3_mobile_rec"),
    *(("PP-OCRv3", code, f"{code}_PP-OCRv3_mobile_rec")
      for code in ("en", "korean", "japan", "chinese_cht", "te", "ka", "ta")),
)
# The detection model of each version (PaddleOCR's choice).
DET_MODELS: Mapping[str, str] = {
    "PP-OCRv6": "PP-OCRv6_medium_det",
    "PP-OCRv5": "PP-OCRv5_server_det",
    "PP-OCRv4": "PP-OCRv4_mobile_det",
    "PP-OCRv3": "PP-OCRv3_mobile_det",
}
# PaddleOCR's choice -> the downloadable model we run instead (and why).
SUBSTITUTES: Mapping[str, Tuple[str, str]] = {
    "PP-OCRv6_medium_det": ("PP-OCRv6_small_det", "PP-OCRv6 means the small tier here"),
    "PP-OCRv6_medium_rec": ("PP-OCRv6_small_rec", "PP-OCRv6 means the small tier here"),
    "PP-OCRv5_server_det": ("PP-OCRv5_mobile_det", "PP-OCRv5 means the mobile pair here"),
    "PP-OCRv5_server_rec": ("PP-OCRv5_mobile_rec", "PP-OCRv5 means the mobile pair here"),
    "en_PP-OCRv5_mobile_rec": (
        "PP-OCRv5_mobile_rec",
        "en_PP-OCRv5_mobile_rec is shipped by no reachable package; PP-OCRv5_mobile_rec "
        "reads English too"),
}
# Substitutions worth telling the user about (the others are this build's documented meaning
# of the version string).
_LOGGED = frozenset({"en_PP-OCRv5_mobile_rec"})
_logged_once: set = set()


def _matches(pattern: str, lang: str) -> bool:
    if pattern == "@v6":
        return lang in V6_LANGS
    if pattern.startswith("@"):
        return lang in _GROUP_NAMES[pattern[1:]]
    return lang == pattern


def default_version(lang: str) -> Optional[str]:
    """The version PaddleOCR picks for ``lang`` when ocr_version is None."""
    if lang in V6_LANGS:
        return "PP-OCRv6"
    if lang in V5_DEFAULT_LANGS:
        return "PP-OCRv5"
    if lang in V3_DEFAULT_LANGS:
        return "PP-OCRv3"
    return None


def paddleocr_model_names(lang: Optional[str], ocr_version: Optional[str]) -> Tuple[str, str]:
    """The (det, rec) names PaddleOCR 3.x itself would use; InvalidArgumentError if none."""
    if ocr_version is not None and ocr_version not in OCR_VERSIONS:
        raise InvalidArgumentError(
            f"Invalid OCR version: {ocr_version}. Supported values are {list(OCR_VERSIONS)}.")
    code = "ch" if lang is None else lang
    version = ocr_version or default_version(code)
    if lang is None and ocr_version is None:
        version = "PP-OCRv6"
    for rule_version, pattern, rec in REC_RULES:
        if rule_version == version and _matches(pattern, code):
            return DET_MODELS[version], rec
    raise InvalidArgumentError(
        f"No models are available for lang={lang!r} and ocr_version={ocr_version!r}.")


def model_names(lang: Optional[str], ocr_version: Optional[str]) -> Tuple[str, str]:
    """The (det, rec) names ppocr-native runs for lang/ocr_version.

    PaddleOCR's choice with ``SUBSTITUTES`` applied; names that stay unobtainable are
    returned unchanged (resolving them raises ModelNotFoundError with the *_model_dir hint).
    """
    names = []
    for name in paddleocr_model_names(lang, ocr_version):
        if name in SUBSTITUTES:
            substitute, why = SUBSTITUTES[name]
            if name in _LOGGED and name not in _logged_once:
                _logged_once.add(name)
                logger.warning("lang=%r, ocr_version=%r: using %s (%s)", lang, ocr_version,
                               substitute, why)
            name = substitute
        names.append(name)
    return names[0], names[1]
