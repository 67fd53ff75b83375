"""The Chinese pages as a reader sees them (issue 16): the default scenario solved with `--lang zh`, map.html and
report.html opened in Chromium at 1366×768, and no visible text may hold an English word of the catalogue (every
message of layout/, all parts together: pages, sentences of the analysis and the model, labels), except the words
that stay as written on purpose: codes, file and command names, indicator names, the cited study's English title
and the program's and packages' names (`KEPT`, and any word in a file name, path or code such as NGIT). Text
in <code> is written as it is (a command line, a file, a row's name) and is not read: the report shows the command
that wrote the folder, here the test runner's own (`pytest --durations-min=0.3` once failed this test)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.language import catalogue
from tests.browser import Page

# English words a Chinese page shows on purpose, as written: program and data names, a solver's name, the cited study
# (its English title: the reference list gives it as published), the boundary source's licence and the map library
KEPT = {"cluster", "layout", "highs", "cbc", "leaflet", "wind", "china", "pypi", "cnmaps", "data", "mit", "gcam"}
CITED = "Cui Leilei"  # the line of the reference list


def catalogue_words() -> set[str]:
    """The English words (3 letters or more, lower case) of every message the program translates."""
    words: set[str] = set()
    for key in catalogue("zh"):
        for text in key if isinstance(key, tuple) else (key,):
            words |= {w.lower() for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", " ", text))}
    return words - KEPT


# the page's visible text without its <code> elements (the program's words only)
OUR_TEXT = "(() => { document.querySelectorAll('code').forEach(c => c.remove()); return document.body.innerText; })()"


def english_words(text: str, words: set[str]) -> dict[str, str]:
    """The catalogue's English words in a page's visible text, each with the line it is on; a word inside a file name,
    path, key or code (a dot, slash, underscore, digit or upper case run beside it) is written as it is."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if CITED in line:
            continue
        for token in re.findall(r"[A-Za-z0-9_./:-]+", line):
            if re.search(r"[./_:\d]", token) or token.isupper():
                continue
            for w in re.findall(r"[A-Za-z]{3,}", token):
                if w.lower() in words:
                    found.setdefault(w, line.strip()[:160])
    return found


@pytest.fixture(scope="module")
def chinese(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zh") / "r"
    result = CliRunner().invoke(app, ["solve", "--lang", "zh", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("page", ["map.html", "report.html"])
def test_no_english_word_of_the_catalogue_is_visible_on_a_chinese_page(browser, chinese, page):
    p = Page(browser, chinese / page, width=1366) if page == "map.html" else None
    if p is None:  # the report has no map objects to wait for
        context = browser.new_context(offline=True, viewport={"width": 1366, "height": 768})
        view = context.new_page()
        view.goto((chinese / page).resolve().as_uri())
        text = view.evaluate(OUR_TEXT)
        lang = view.evaluate("document.documentElement.lang")
        context.close()
    else:
        text = p.page.evaluate(OUR_TEXT)
        lang = p.page.evaluate("document.documentElement.lang")
        assert not p.errors, p.errors
    assert re.search(r"[\u4e00-\u9fff]{20}", text.replace("\n", "")), "hardly any Chinese on the page"
    found = english_words(text, catalogue_words())
    assert not found, f"English words of the catalogue on the Chinese {page}:\n" + "\n".join(
        f"{w}: {line}" for w, line in sorted(found.items())
    )
    assert lang.startswith("zh"), lang
