"""Errors a user can cause or meet, each with its exit code (design.md section 5)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is, what was expected, what was found."""

    file: str
    line: int | None
    key: str
    expected: str
    found: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} expected {self.expected}; found {self.found}"


def _number(value: object) -> str:
    """A bound of the schema as written in a file: 0, not 0.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


_BOUNDS = {
    "greater_than": ("gt", "a number greater than {}"),
    "greater_than_equal": ("ge", "a number of at least {}"),
    "less_than": ("lt", "a number less than {}"),
    "less_than_equal": ("le", "a number of at most {}"),
}
_KINDS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a text",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "list_type": "a list",
    "missing": "a value (the key is required)",
    "extra_forbidden": "a known key",
}


def expected_of(error: Mapping[str, Any]) -> str:
    """What a schema error (one entry of pydantic's `ValidationError.errors()`) expected, in the program's words:
    "a number greater than 0", "one of: highs, cbc", a validator's own sentence; never the library's "Input should"."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    msg = str(error.get("msg", ""))
    if kind in _BOUNDS and _BOUNDS[kind][0] in ctx:
        key, words = _BOUNDS[kind]
        return words.format(_number(ctx[key]))
    if kind in _KINDS:
        return _KINDS[kind]
    if kind == "literal_error" and "expected" in ctx:
        listed = str(ctx["expected"])
        quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", listed)
        return "one of: " + (", ".join(quoted) if quoted else listed.replace(" or ", ", "))
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

    @property
    def found(self) -> str:
        """Where and what each problem found, joined by "; " (the `found` of a problem about the file that holds them,
        e.g. a results folder named by an option)."""
        return "; ".join(f"{p.file}{f':{p.line}' if p.line else ''}: {p.found}" for p in self.problems)


class InfeasibleError(LayoutError):
    """The model has no feasible layout: exit code 3. `diagnosis` lists the conflicting constraints."""

    exit_code = 3

    def __init__(self, message: str, diagnosis: list[str] | None = None):
        self.diagnosis = diagnosis or []
        super().__init__(message)


class LimitError(LayoutError):
    """The solver stopped at a limit (time, iterations) without a feasible layout: exit code 4."""

    exit_code = 4
