"""Names of columns and phases, in English and Vietnamese: as compared when read, as written in
templates."""

import re
import unicodedata

from django.utils.translation import get_language

from calibration.models import Phase


def _key(text) -> str:
    """A header or phase as compared: no diacritics, 'đ' as 'd', case and punctuation folded.

    >>> _key("  Số đọc_1 ")
    'so doc 1'
    >>> _key("Trước hiệu chỉnh")
    'truoc hieu chinh'
    """
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").casefold()
    text = re.sub(r"[\s_\-–—./:()]+", " ", text)
    return text.strip()


def _name_key(text) -> str:
    """A range's name or a reference's label as compared: spaces and dash kinds do not count."""
    text = unicodedata.normalize("NFC", str(text)).casefold()
    return re.sub(r"\s+", "", re.sub(r"[–—−]", "-", text))


COLUMNS = {
    "range": {"range", "channel", "range channel", "range or channel", "dai do", "kenh"}
    | {"dai do kenh", "pham vi do", "pham vi"},
    "phase": {"phase", "giai doan"},
    "nominal": {"nominal", "nominal value", "danh dinh", "gia tri danh dinh"},
    "reference": {"reference", "reference value", "chuan", "gia tri chuan"},
}
READING_COLUMN = re.compile(r"^(?:reading|r|so doc|lan doc)\s?(\d{1,6})$")
PHASES = {
    "as found": Phase.AS_FOUND,
    "asfound": Phase.AS_FOUND,
    "truoc hieu chinh": Phase.AS_FOUND,
    "as left": Phase.AS_LEFT,
    "asleft": Phase.AS_LEFT,
    "sau hieu chinh": Phase.AS_LEFT,
}
HEADERS = {
    "vi": {"range": "dải đo", "phase": "giai đoạn", "nominal": "danh định"}
    | {"reference": "chuẩn", "reading": "số đọc %d"},
    "en": {"range": "range", "phase": "phase", "nominal": "nominal"}
    | {"reference": "reference", "reading": "reading %d"},
}
PHASE_NAMES = {
    "vi": {Phase.AS_FOUND: "trước hiệu chỉnh", Phase.AS_LEFT: "sau hiệu chỉnh"},
    "en": {Phase.AS_FOUND: "as found", Phase.AS_LEFT: "as left"},
}


def _language() -> str:
    return "vi" if (get_language() or "vi").startswith("vi") else "en"
