"""The Indonesian catalogue covers every string the code marks for translation: Django's
makemessages runs on a copy of the package (GNU gettext's xgettext and msgmerge needed; the
test skips without them, except under CI=true, where it fails), and any entry left empty or
fuzzy in the merged catalogue is listed. A string inside an f-string is invisible to
xgettext, so none may hide there."""

import ast
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import IN_CI

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "openpo"
CATALOGUE = Path("locale") / "id" / "LC_MESSAGES" / "django.po"
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib")
GETTEXT_CALLS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


def _need_gettext() -> None:
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        reason = (
            f"GNU gettext is not installed (missing {', '.join(missing)}): apt-get install gettext"
        )
        if IN_CI:
            pytest.fail(f"required under CI=true: {reason}", pytrace=False)
        pytest.skip(reason)


def parse_po(text: str) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr (list), flags, location."""
    entries = []
    for block in text.split("\n\n"):
        entry: dict = {"msgid": "", "msgid_plural": "", "msgstr": [], "flags": set(), "at": ""}
        field = None
        for line in block.splitlines():
            if line.startswith("#~"):
                field = None  # obsolete entries are not in use
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#:"):
                entry["at"] = entry["at"] or line[2:].strip()
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and field is not None:
                _append(entry, field, line)
            else:
                keyword, _space, rest = line.partition(" ")
                field = keyword
                if keyword.startswith("msgstr"):
                    entry["msgstr"].append("")
                elif keyword not in {"msgid", "msgid_plural", "msgctxt"}:
                    field = None
                    continue
                _append(entry, field, rest)
        if (entry["msgid"] or entry["msgstr"]) and not entry.get("obsolete"):
            entries.append(entry)
    return entries


def _append(entry: dict, field: str, quoted: str) -> None:
    text = ast.literal_eval(quoted) if quoted.strip() else ""
    if field.startswith("msgstr"):
        entry["msgstr"][-1] += text
    else:
        entry[field] = entry.get(field, "") + text


def problems(entries: list[dict]) -> list[str]:
    """'fuzzy'/'empty' entries (the header, msgid "", excepted), one line each."""
    found = []
    for entry in entries:
        if entry["msgid"] == "":
            continue
        if "fuzzy" in entry["flags"]:
            found.append(f"fuzzy  {entry['msgid']!r} ({entry['at']})")
        elif not entry["msgstr"] or not all(entry["msgstr"]):
            found.append(f"empty  {entry['msgid']!r} ({entry['at']})")
    return found


def test_the_reader_finds_empty_and_fuzzy_entries():
    po = """msgid ""
msgstr ""
"Language: id\\n"

#: a.py
msgid "Done"
msgstr "Selesai"

#: b.py
#, fuzzy, python-format
#| msgid "Old"
msgid "Guess %(n)s"
msgstr "Tebakan %(n)s"

#: c.py
msgid ""
"Long "
"text"
msgstr ""

#: d.py
msgid "one"
msgid_plural "many"
msgstr[0] ""

#~ msgid "Gone"
#~ msgstr ""
"""
    assert problems(parse_po(po)) == [
        "fuzzy  'Guess %(n)s' (b.py)",
        "empty  'Long text' (c.py)",
        "empty  'one' (d.py)",
    ]


def test_every_string_the_code_uses_has_an_indonesian_translation(tmp_path, settings, monkeypatch):
    _need_gettext()
    copy = tmp_path / "openpo"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "media")
    )
    # Only the copy's catalogue is merged: never the real one in LOCALE_PATHS.
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["id"], no_obsolete=True, verbosity=0)

    found = problems(parse_po((copy / CATALOGUE).read_text(encoding="utf-8")))

    assert not found, (
        f"{len(found)} strings have no finished Indonesian translation. Run `openpo makemessages"
        " -l id --no-obsolete --add-location file` in src/openpo, translate them (drop the fuzzy"
        " flag once right), then `openpo compilemessages -l id`:\n" + "\n".join(found)
    )


def test_no_translatable_string_hides_in_an_f_string():
    hidden = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (
                isinstance(node, ast.FormattedValue)
                and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", getattr(node.value.func, "attr", ""))
                in GETTEXT_CALLS
            ):
                hidden.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert hidden == [], "xgettext cannot see a string inside an f-string; name it first"


def test_the_admin_names_every_app_in_indonesian(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"

    html = admin_client.get("/admin/").content.decode()

    for name in ("Catatan aktivitas", "Katalog", "Pesanan", "Pesan", "Tugas latar belakang"):
        assert name in html
    for code_name in ("Tasks Database Backend", "Task Results", "OpenPO core"):
        assert code_name not in html
