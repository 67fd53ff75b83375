"""Errors a user can cause or meet, each with its exit code (design.md section 5)."""

from __future__ import annotations

from dataclasses import dataclass


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


class LayoutError(Exception):
    """Base of every error the CLI turns into a message and an exit code."""

    exit_code = 1


class InputError(LayoutError):
    """Bad input (constraint file, data file, folder): exit code 2. Carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InfeasibleError(LayoutError):
    """The model has no feasible layout: exit code 3. `diagnosis` lists the conflicting constraints."""

    exit_code = 3

    def __init__(self, message: str, diagnosis: list[str] | None = None):
        self.diagnosis = diagnosis or []
        super().__init__(message)


class LimitError(LayoutError):
    """The solver stopped at a limit (time, iterations) without a feasible layout: exit code 4."""

    exit_code = 4
