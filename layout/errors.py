"""Errors a user can cause or meet, each with its exit code (design.md section 5)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


def _english(message: str, **fields: Any) -> str:
    """A message of ours in English (as written), its fields filled in."""
    return message.format(**fields) if fields else message


class Phrase(str):
    """A text of ours inside a problem (what was expected, what was found, "command line"), made where the language
    it will be read in is not yet known (a constraint file's `language:` is read with the file whose problems these
    are). It is the English text as a str, and reads in the language of the moment where shown (`shown`). Write it
    with `phrase` so that the catalogue finds its message; its fields are values, never templates."""

    message: str
    fields: dict[str, Any]

    def __new__(cls, message: str, fields: dict[str, Any]) -> Phrase:
        text = super().__new__(cls, _english(message, **fields))
        text.message, text.fields = message, fields
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # across processes (batch workers) with its message
        return (Phrase, (self.message, self.fields))


def phrase(message: str, **fields: Any) -> Phrase:
    """`message` (English, a catalogue id as `layout.language.tr`'s) with its fields, translated where shown."""
    return Phrase(message, fields)


# A message of ours in the language of the moment: layout.language's `translate`, which it sets here when imported
# (it imports this module, so this one cannot import it); English until then.
translator: Callable[..., str] = _english


def shown(text: str) -> str:
    """`text` in the current language where it is a Phrase (its fields too), as it is otherwise."""
    if not isinstance(text, Phrase):
        return text
    return translator(text.message, **{k: shown(v) if isinstance(v, str) else v for k, v in text.fields.items()})


COMMAND_LINE = phrase("command line")  # where a problem of a command's option is
PROBLEM_FORM = phrase("expected {expected}; found {found}", expected="…", found="…")  # what a problem says


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is, what was expected, what was found. Read in the language of the
    moment (`str`): the form `FILE:LINE: KEY: expected …; found …` in English, `FILE:LINE: KEY: 应为…；实为…` in
    Chinese; the location stays as it is, for editors and scripts."""

    file: str
    line: int | None
    key: str
    expected: str
    found: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else shown(self.file)
        key = f" {self.key}:" if self.key else ""
        said = translator(PROBLEM_FORM.message, expected=shown(self.expected), found=shown(self.found))
        return f"{where}:{key} {said}"


def _number(value: object) -> str:
    """A bound of the schema as written in a file: 0, not 0.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


# the schema's bounds: the bound's key in pydantic's error context, the message (in layout/locale/zh/spec.po)
_BOUNDS = {
    "greater_than": ("gt", phrase("a number greater than {bound}", bound="")),
    "greater_than_equal": ("ge", phrase("a number of at least {bound}", bound="")),
    "less_than": ("lt", phrase("a number less than {bound}", bound="")),
    "less_than_equal": ("le", phrase("a number of at most {bound}", bound="")),
}
_KINDS = {
    "int_type": phrase("a whole number"),
    "int_parsing": phrase("a whole number"),
    "int_from_float": phrase("a whole number"),
    "float_type": phrase("a number"),
    "float_parsing": phrase("a number"),
    "finite_number": phrase("a finite number"),
    "bool_type": phrase("true or false"),
    "bool_parsing": phrase("true or false"),
    "string_type": phrase("a text"),
    "dict_type": phrase("a mapping of keys"),
    "model_type": phrase("a mapping of keys"),
    "model_attributes_type": phrase("a mapping of keys"),
    "list_type": phrase("a list"),
    "missing": phrase("a value (the key is required)"),
    "extra_forbidden": phrase("a known key"),
}


def expected_of(error: Mapping[str, Any]) -> str:
    """What a schema error (one entry of pydantic's `ValidationError.errors()`) expected, in the program's words:
    "a number greater than 0", "one of: highs, cbc", a validator's own sentence; never the library's "Input should"."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    msg = str(error.get("msg", ""))
    if kind in _BOUNDS and _BOUNDS[kind][0] in ctx:
        key, words = _BOUNDS[kind]
        return Phrase(words.message, {"bound": _number(ctx[key])})
    if kind in _KINDS:
        return _KINDS[kind]
    if kind == "literal_error" and "expected" in ctx:
        listed = str(ctx["expected"])
        quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", listed)
        return phrase("one of: {values}", values=", ".join(quoted) if quoted else listed.replace(" or ", ", "))
    if kind in ("value_error", "assertion_error"):
        inner = ctx.get("error")
        return str(inner) if inner is not None and str(inner) else re.sub(r"^(Value error|Assertion failed), ", "", msg)
    for prefix, lead in (("Input should be ", ""), ("Input should ", "a value that should ")):
        if msg.startswith(prefix):
            return lead + msg[len(prefix) :]
    return msg[:1].lower() + msg[1:] if msg else "a valid value"


class LayoutError(Exception):
    """Base of every error the CLI turns into a message and an exit code. `language`: the language chosen where it
    was raised (a command's --lang, a constraint file's `language:`; None: none chosen), the one its headline uses;
    `layout.language.using` sets it as the error leaves the innermost block that chose one."""

    exit_code = 1
    language: str | None = None


class InputError(LayoutError):
    """Bad input (constraint file, data file, folder): exit code 2. Carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __str__(self) -> str:
        """Every problem, one a line, in the language of the moment (the CLI prints it in the run's)."""
        return "\n".join(str(p) for p in self.problems)

    def __reduce__(self) -> tuple[Any, ...]:  # across processes with its problems (not their text), and its language
        return (_input_error, (self.problems, self.language))

    @property
    def found(self) -> str:
        """Where and what each problem found, joined by "; " (the `found` of a problem about the file that holds them,
        e.g. a results folder named by an option)."""
        return "; ".join(f"{p.file}{f':{p.line}' if p.line else ''}: {p.found}" for p in self.problems)


def _input_error(problems: list[Problem], language: str | None) -> InputError:
    """An InputError unpickled (`InputError.__reduce__`)."""
    error = InputError(problems)
    error.language = language
    return error


class InfeasibleError(LayoutError):
    """The model has no feasible layout: exit code 3. `diagnosis` lists the conflicting constraints."""

    exit_code = 3

    def __init__(self, message: str, diagnosis: list[str] | None = None):
        self.diagnosis = diagnosis or []
        super().__init__(message)


class LimitError(LayoutError):
    """The solver stopped at a limit (time, iterations) without a feasible layout: exit code 4."""

    exit_code = 4
