"""The vocabulary of every sentence the program writes: names of regions, industries and groups, counts with their
plural, articles, lists of names, and numbers as a planner reads them. Explanations, diagnoses and pages take their
words here. Numbers: `number` in sentences, `cell` in plain-text tables and lists, `fixed` in columns whose decimal
points align, `figure` on the HTML report, `rounded` in JSON."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from layout.language import current, marked, tr, translate

DIGITS = 6  # decimals kept in JSON output (`rounded`)


def region_name(inst: Any, r: str) -> str:
    """A region's name in the instance, or its code."""
    return inst.region_names.get(r, r)


def industry_name(inst: Any, i: str) -> str:
    """An industry's name in the instance, or its code."""
    p = inst.industries.get(i)
    return p.name if p is not None else i


def group_name(inst: Any, g: str) -> str:
    """An inter-provincial group's name in the instance, or its id."""
    p = inst.groups.get(g)
    return p.name if p is not None else g


def article(word: str) -> str:
    """'a provincial', 'an inter-provincial'; Chinese has no article: the word as it is."""
    if current() == "zh":
        return word
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def yes_no(v: bool) -> str:
    """'yes' or 'no' (是, 否)."""
    return tr("yes") if v else tr("no")


def rounded(v: float | None) -> float | None:
    """A number for JSON: DIGITS decimals, -0.0 as 0.0, None for None, NaN or infinity."""
    if v is None or not math.isfinite(v):
        return None
    return round(float(v), DIGITS) + 0.0


def number(v: float | None) -> str:
    """A number for text: whole numbers without decimals, else up to 4 decimals without trailing zeros."""
    v = rounded(v) or 0.0
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4f}".rstrip("0").rstrip(".") if abs(v) >= 1e-3 else f"{v:.3g}"


def cell(v: Any, digits: int = 4, thousands: bool = False) -> str:
    """A value in a table cell or a list (`layout compare`, the report's capacities): '—' for None or a number
    that is not finite, 'yes'/'no' for booleans, whole numbers without decimals, others rounded to at most
    `digits` decimals with trailing zeros dropped (never scientific notation, unlike `number`: cells of a
    column read alike); `thousands` groups digits with commas (pages). Other values as `str`."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return yes_no(v)
    sep = "," if thousands else ""
    if isinstance(v, int):
        return f"{v:{sep}}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "—"
        if v == int(v):
            return f"{int(v):{sep}}"
        text = f"{v:{sep}.{digits}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return "0" if text == "-0" else text  # a difference that rounds to nothing has no sign
    return str(v)


def fixed(v: Any, digits: int) -> str:
    """A number with exactly `digits` decimals, so a column's decimal points align (the metrics table of
    `layout solve`, capacities in map tooltips and legends): '—' for None or not finite, 'yes'/'no' for
    booleans."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    if isinstance(v, bool):
        return yes_no(v)
    return f"{v:.{digits}f}"


def figure(v: Any, digits: int = 3) -> str:
    """A number on a page (the HTML report): digits grouped with commas, whole numbers without decimals, others
    with exactly `digits` decimals (0.150 beside 0.128); '—' for None or not finite, 'yes'/'no' for booleans."""
    if isinstance(v, float) and math.isfinite(v) and v != int(v):
        return f"{v:,.{digits}f}"
    return cell(v, digits, thousands=True)


def listing(names: list[str] | tuple[str, ...], most: int | None = 10) -> str:
    """'A, B, C' (Chinese 'A、B、C'); beyond `most` names '31 units (A, B, … and 21 more)' (`most` None: every
    name)."""
    sep = "、" if current() == "zh" else ", "
    if most is None or len(names) <= most:
        return sep.join(names)
    return tr(
        "{n} units ({names}, … and {more} more)", n=len(names), names=sep.join(names[:most]), more=len(names) - most
    )


def excluded_words(why: str | None, may_host: str | None) -> str:
    """A region eligible for no industry in one sentence (metrics.json regions_eligible_for_nothing: its `may_host`
    and its `why`, reasons apart by " | "), e.g. 'may host a characteristic cluster of New energy (…); the rules it
    fails: NGIT, BIO: rd_intensity_2019 = 0.56, rule >= 1 | NE: …'. Empty for a folder written before either."""
    parts = [may_host or "", tr("the rules it fails: {why}", why=why) if why else ""]
    return ("；" if current() == "zh" else "; ").join(p for p in parts if p)


# the nouns `plural` is called with (translated in Chinese: '3个集群')
NOUNS = (
    marked("cluster"),
    marked("provincial cluster"),
    marked("inter-provincial cluster"),
    marked("national SEI cluster"),
    marked("region"),
    marked("unit"),
    marked("member"),
    marked("designation"),
    marked("change"),
    marked("period"),
    marked("point"),
    marked("layout"),
    marked("neighbour duplication"),
)
# Chinese only: the measure word (量词) `plural` puts between a number and each noun of NOUNS ('3处相邻地区产业同构',
# '2项集群布局'; 个 for a cluster, region, unit and the other things counted one by one)
MEASURE_WORDS = {
    "cluster": "个",
    "provincial cluster": "个",
    "inter-provincial cluster": "个",
    "national SEI cluster": "个",
    "region": "个",
    "unit": "个",
    "member": "个",
    "designation": "项",
    "change": "处",
    "period": "个",
    "point": "个",
    "layout": "个",
    "neighbour duplication": "处",
}


def plural(n: float, word: str) -> str:
    """'1 cluster', '3 clusters', '2.5 units'; in Chinese '3个集群', '2处相邻地区产业同构' (the noun's measure word
    of `MEASURE_WORDS`, then the translation of a noun of `NOUNS`)."""
    if current() == "zh":
        return f"{number(n)}{MEASURE_WORDS.get(word, '个')}{translate(word)}"
    return f"{number(n)} {word}" + ("" if n == 1 else "s")


def width(text: str) -> int:
    """Columns `text` takes in a terminal: a wide (CJK) character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# C0, DEL, C1, line separators, lone surrogates, and the bidirectional controls (marks, embeddings, overrides,
# isolates: U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), which reorder the text around them on a screen
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escaped(text: str, keep: str = "", form: str = "\\x{:02x}") -> str:
    """`text` with every control character (but those in `keep`) shown as `form` ('\\x1b'; '\\u202e' beyond U+00FF):
    for a terminal, or a comment line of a generated file, that text from an input can neither drive, reorder nor
    break."""

    def shown(m: re.Match[str]) -> str:
        c = m.group()
        return c if c in keep else form.format(ord(c)) if ord(c) <= 0xFF else f"\\u{ord(c):04x}"

    return CONTROL.sub(shown, text)
