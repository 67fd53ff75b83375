"""The catalogues: every message the code writes for a person has its Chinese translation, with the same fields,
and the catalogue holds nothing the code no longer says. Messages are found in the source (ast): every call of
`tr(...)` / `trn(...)` / `marked(...)` in layout/, whose message arguments must be plain string literals (a message built at run
time could not be translated)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from layout import language
from layout.language import LANGUAGES, catalogue, using

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layout"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def messages_in_code() -> tuple[dict[str | tuple[str, str], str], list[str]]:
    """Every message of a tr/trn call in layout/ → where it is first written; and the calls whose message is not a
    literal."""
    found: dict[str | tuple[str, str], str] = {}
    bad: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("tr", "trn", "marked", "phrase")
            ):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            wanted = 2 if node.func.id == "trn" else 1
            args = node.args[:wanted]
            if len(args) < wanted or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                bad.append(where)
                continue
            texts = [a.value for a in args]  # type: ignore[attr-defined]
            found.setdefault(texts[0] if wanted == 1 else (texts[0], texts[1]), where)
    return found, bad


def test_every_message_is_a_literal():
    _, bad = messages_in_code()
    assert not bad, f"tr()/trn() with a message that is not a string literal (cannot be translated): {bad}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_message_exists_in_every_language_with_the_same_fields(lang):
    found, _ = messages_in_code()
    assert found, "no message found: the extraction is broken"
    translations = catalogue(lang)
    missing = {m: where for m, where in found.items() if m not in translations}
    assert not missing, (
        f"{len(missing)} messages without a {lang} translation (layout/locale/{lang}/*.po): "
        + "\n".join(f"{where}: {m!r}" for m, where in list(missing.items())[:40])
    )
    for message, where in found.items():
        english = message if isinstance(message, str) else message[0]
        wanted = _fields(english) | ({"n"} if isinstance(message, tuple) else set())
        got = _fields(translations[message])
        assert got <= wanted and (_fields(english) - {"n"}) <= got | {"n"}, (
            f"{where}: the {lang} text of {message!r} names fields {sorted(got)}, the message {sorted(wanted)}"
        )


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_the_catalogue_holds_no_message_the_code_no_longer_says(lang):
    found, _ = messages_in_code()
    stale = sorted(str(m) for m in catalogue(lang) if m not in found)
    assert not stale, f"translations of messages no code writes (delete them from layout/locale/{lang}/): {stale[:40]}"


def test_one_message_is_translated_once():
    """No message has two translations in two files of one catalogue (which one wins would depend on file order)."""
    from babel.messages.pofile import read_po

    for lang in LANGUAGES:
        seen: dict[object, tuple[str, str]] = {}
        for path in sorted((language.LOCALE_DIR / lang).glob("*.po")):
            with path.open("rb") as f:
                for m in read_po(f, locale=lang):
                    if not m.id:
                        continue
                    key = tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id
                    text = m.string[0] if isinstance(m.string, (list, tuple)) else m.string
                    if key in seen:
                        assert seen[key][1] == text, f"{key!r} translated in {seen[key][0]} and {path.name} differently"
                    seen[key] = (path.name, text)


def test_the_locale_decides_without_a_choice(monkeypatch):
    for name in language.LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert language.current() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert language.current() == "zh"
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")  # LC_ALL before LANG, as gettext reads them
    assert language.current() == "en"
    with using("zh"):
        assert language.current() == "zh"
        with using(None):
            assert language.current() == "zh"
    assert language.resolve(None, "zh") == "zh"
    assert language.resolve("en", "zh") == "en"


def test_a_field_value_is_data_not_a_template():
    with using("en"):
        assert language.tr("{name}", name="{0.__class__}") == "{0.__class__}"


def test_no_translation_is_left_fuzzy_and_a_fuzzy_one_is_not_shown(tmp_path, monkeypatch):
    """A fuzzy entry is a translator's unconfirmed guess (msgmerge writes them): the catalogue holds none, and one
    that slips in reads as the English message (which the test above then reports), never as the guess."""
    from babel.messages.pofile import read_po

    for path in sorted((language.LOCALE_DIR / "zh").glob("*.po")):
        with path.open("rb") as f:
            fuzzy = [m.id for m in read_po(f, locale="zh") if m.id and m.fuzzy]
        assert not fuzzy, f"{path.name}: fuzzy entries (confirm or delete): {fuzzy[:10]}"

    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "x.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        '#, fuzzy\nmsgid "clusters"\nmsgstr "猜测"\n\nmsgid "region"\nmsgstr "地区"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(language, "LOCALE_DIR", tmp_path)
    catalogue.cache_clear()
    try:
        with using("zh"):
            assert language.tr("clusters") == "clusters" and language.tr("region") == "地区"
    finally:
        monkeypatch.undo()
        catalogue.cache_clear()
