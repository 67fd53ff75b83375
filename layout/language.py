"""The language a person reads: English (the messages as written in the code) or Chinese (the catalogue
layout/locale/zh/*.po, gettext's format, read with Babel so that translators can use their own tools).

Every sentence, heading, legend and label a person reads is written `tr("English text {field}", field=value)` (or
`trn(singular, plural, n, ...)` where English needs a plural; `marked("...")` in a table of labels, shown with
`translate(label)`); the English text is the message's id, and a Chinese
page shows the catalogue's translation of it. Codes, file names and column names are never translated, so scripts
work in both languages. Values (names, numbers) are formatted into the message; the message itself is always ours,
never text from an input, so a field's value cannot act as a template.

Which language: `using(lang)` for a block of work (a command's --lang, a constraint file's `language:`); without
one, the locale decides (`from_locale`: LANGUAGE, LC_ALL, LC_MESSAGES, LANG as gettext reads them; zh… gives
Chinese), else English. tests/language/test_catalogue.py fails when a message of the code has no translation, or a
translation names other fields than its message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

import layout.errors as errors
from layout.errors import InputError, LayoutError, Problem

LANGUAGES = ("en", "zh")
LOCALE_DIR = Path(__file__).with_name("locale")  # layout/locale/<language>/*.po: one catalogue per language
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order

_chosen: ContextVar[str | None] = ContextVar("layout_language", default=None)


def from_locale(env: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for: 'zh' when the first of LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set
    starts with 'zh' (zh_CN.UTF-8, zh_TW, zh), else 'en'."""
    env = os.environ if env is None else env
    for name in LOCALE_VARIABLES:
        value = env.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def current() -> str:
    """The language of the work under way: the innermost `using`, else the locale's."""
    return _chosen.get() or from_locale()


def resolve(*choices: str | None) -> str:
    """The first language given (a command's --lang, then a constraint file's `language:`), else the locale's."""
    for lang in choices:
        if lang:
            return lang
    return from_locale()


@contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Write in `lang` inside the block ('en' or 'zh'; None keeps the language around it). Yields the language."""
    if lang is not None and lang not in LANGUAGES:  # a caller's `lang=` (the command line's --lang checks its own)
        raise InputError(Problem("lang", None, "", f"one of: {', '.join(LANGUAGES)}", repr(lang)[:60]))
    token = _chosen.set(lang) if lang else None
    try:
        yield current()
    except LayoutError as e:
        if lang and e.language is None:  # raised in this block: its headline speaks the language chosen here
            e.language = lang
        raise
    finally:
        if token is not None:
            _chosen.reset(token)


@cache
def catalogue(lang: str) -> dict[str | tuple[str, str], str]:
    """Every translation of `lang`: message id (or (singular, plural) for a plural message) → text. Read from all
    .po files of layout/locale/<lang>/ (one per part of the program: maps, report, analysis, ...)."""
    from babel.messages.pofile import read_po

    found: dict[str | tuple[str, str], str] = {}
    for path in sorted((LOCALE_DIR / lang).glob("*.po")):
        with path.open("rb") as f:
            for message in read_po(f, locale=lang):
                if not message.id or message.fuzzy:  # the header; a guess a translator has not confirmed
                    continue
                text = message.string[0] if isinstance(message.string, (tuple, list)) else message.string
                if text:
                    key = tuple(message.id) if isinstance(message.id, (tuple, list)) else message.id
                    found[key] = text  # type: ignore[index]  # Babel's ids are str or a (singular, plural) pair
    return found


def tr(message: str, **fields: Any) -> str:
    """`message` in the current language, its {fields} filled in. A message without a translation reads in English
    (the catalogue's test makes that a failure before it ships)."""
    lang = current()
    text = message if lang == "en" else catalogue(lang).get(message, message)
    return text.format(**fields)


def trn(singular: str, plural: str, n: float, **fields: Any) -> str:
    """`singular` (n == 1) or `plural` in English; the catalogue's one form in Chinese. {n} is `n` (3.0 as 3)
    unless the caller's fields give it written otherwise."""
    lang = current()
    english = singular if n == 1 else plural
    text = english if lang == "en" else catalogue(lang).get((singular, plural), english)
    fields.setdefault("n", int(n) if float(n).is_integer() else n)
    return text.format(**fields)


def marked(message: str) -> str:
    """`message` unchanged, marked for the catalogue: a message kept in a table (a metric's label, a tier's name) and
    translated where it is shown, with `translate`."""
    return message


def translate(message: str, **fields: Any) -> str:
    """`tr` for a message written elsewhere with `marked` (or `tr`): a value of a table, translated where shown."""
    lang = current()
    text = message if lang == "en" else catalogue(lang).get(message, message)
    return text.format(**fields) if fields else text


errors.translator = translate  # a problem's texts (layout.errors.Phrase) read in the language of the moment


def named(name: str, name_zh: str | None) -> str:
    """A name in the current language: `name_zh` in Chinese when the data has one, else `name` (data's names are
    not translated: a region or industry without a Chinese name keeps the one its file gives)."""
    return name_zh if name_zh and current() == "zh" else name
