"""Vietnamese first, English second: the catalogue is complete and the switch works."""

import ast
import gettext as pygettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "lims" / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr list, flags."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry or {"flags": "", "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(key, tuple):
                entry["msgstr"][key[1]] += text
            else:
                entry[key] += text
        else:
            name, _, value = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", name)
            if match or name == "msgstr":
                key = ("msgstr", int(match.group(1)) if match else 0)
                entry["msgstr"][key[1]] = ast.literal_eval(value)
            else:
                key = name
                entry[key] = ast.literal_eval(value)
    return [e for e in entries if e["msgid"]]


def test_every_string_of_the_catalogue_has_a_vietnamese_translation():
    entries = read_po(PO)
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [] and fuzzy == []


def test_the_compiled_catalogue_matches_its_source():
    catalogue = pygettext.GNUTranslations(MO.open("rb"))
    for entry in read_po(PO):
        if "msgid_plural" in entry:
            continue
        msgid = (
            entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        )
        assert catalogue._catalog.get(msgid) == entry["msgstr"][0], msgid


def test_every_interface_string_is_in_the_catalogue(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed (make test installs it where it can)")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "var", "staticfiles", "tests", "bench", "*.pyc", "node_modules"
        ),
    )
    (copy / "lims" / "locale" / "vi" / "LC_MESSAGES" / "django.po").unlink()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--ignore=metrology/*"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = {
        e["msgid"] for e in read_po(copy / "lims" / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    }
    translated = {e["msgid"] for e in read_po(PO) if all(e["msgstr"].values())}
    assert sorted(extracted - translated) == []


def test_the_language_switch_turns_the_interface_vietnamese_and_back(client, alice):
    login(client, alice)
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="vi">' in page and "Hiệu chuẩn" in page and "Đăng xuất" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "Calibrations" in page and "Log out" in page


def test_a_form_error_speaks_the_users_language(client, rita):
    login(client, rita)
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    response = client.post(
        "/customers/new/", {"name": "X", "tax_code": "12", "address": "Y", "sector": "other"}
    )
    english = "A tax code has 10 digits, or 10 digits, a dash and 3 digits (e.g. 4100258561-001)."
    with translation.override("vi"):
        vietnamese = gettext(english)
    assert vietnamese != english
    assert vietnamese in response.content.decode()
