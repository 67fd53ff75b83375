"""Loading a constraint file: YAML with positions, `extends:`, the alias guard, and pydantic's errors as located problems."""

from __future__ import annotations

import difflib
import errno
import hashlib
import itertools
import os
import re
import types
import typing
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from layout.errors import InputError, Problem, expected_of, phrase
from layout.inputs import TEXT_LIMIT, not_readable, read_bytes, read_text
from layout.language import LANGUAGES
from layout.paths import DEFAULT_MODEL, models_file
from layout.spec.schema import DECLARED_PLANS, Scenario

Path_ = tuple[str | int, ...]
# paths relative to their file (reference.layout: unless it is the word `declared`, `path_of` gives None then)
PATH_FIELDS: tuple[tuple[str, ...], ...] = (
    ("regions", "boundaries"),
    ("regions", "indicators"),
    ("reference", "layout"),
)
CONSTRAINT_FILE = phrase("a constraint file (YAML)")
MAX_EXTENDS = 32  # files in one `extends:` chain
# where a load may read files (`load`'s `within`: the workbench's FILE folder); None: anywhere
_within: ContextVar[Path | None] = ContextVar("within", default=None)


def _inside(path: Path, root: Path) -> bool:
    """Whether `path` (its links followed) lies in the folder `root`."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def _outside_words(root: Path) -> str:
    """What a path read under `within` must be."""
    return phrase("a file in {folder} (the workbench reads no file outside its file's folder)", folder=str(root))


@dataclass
class LoadedSpec:
    """A validated scenario with where each key came from (for messages) and its input hash."""

    scenario: Scenario
    file: Path
    positions: dict[Path_, tuple[str, int]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    text: str | None = None  # the file's content when loaded from an editor (`load(path, text)`), not from disk

    def where(self, *path: str | int) -> tuple[str, int | None]:
        """(file, line) of a key path, or of its nearest ancestor that has a position."""
        p: Path_ = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return (str(self.file), None)

    def problem(self, path: tuple[str | int, ...], expected: str, found: str) -> Problem:
        """A Problem located at `path`."""
        file, line = self.where(*path)
        return Problem(file, line, ".".join(str(k) for k in path), expected, found)

    def path_of(self, *key: str) -> Path | None:
        """The path a field of PATH_FIELDS holds, resolved against the folder of the file that wrote it (under
        `extends:`, a base's paths stay relative to the base, whatever lies beside the extending file); None if unset."""
        value: Any = self.scenario
        for k in key:
            value = getattr(value, k, None) if value is not None else None
        if value is None or (key == ("reference", "layout") and value == DECLARED_PLANS):
            return None
        p = Path(value)
        writer = Path(self.positions[key][0]) if key in self.positions else self.file
        return p if p.is_absolute() else writer.parent / p

    def required_path(self, *key: str) -> Path:
        """`path_of` a field the schema requires in this scenario (a validator checked it is set)."""
        path = self.path_of(*key)
        if path is None:
            raise InputError(self.problem(key, "a path (required here)", "nothing"))
        return path

    @property
    def input_hash(self) -> str:
        """SHA-256 of every file read (the file and its bases)."""
        h = hashlib.sha256()
        for f in self.files:
            own = self.text is not None and f == self.file  # the file as the editor holds it
            h.update(self.text.encode("utf-8") if own and self.text is not None else read_bytes(f, CONSTRAINT_FILE))
        return h.hexdigest()


MAX_NODES = 1_000_000  # keys and values of a file once aliases are expanded (models/default.yaml has about 430)
UNREADABLE = object()  # what an unreadable YAML scalar builds to (its problem is recorded)


def _check_expansion(root: yaml.Node, label: str) -> None:
    """Refuse aliases (*name) that expand the document past MAX_NODES ("billion laughs") or into itself.

    An alias shares its anchor's node, so each distinct node is counted once: fast however large the expansion.
    The problem names the first entry whose expansion alone is too large.
    """
    sizes: dict[int, int] = {}
    expanding: set[int] = set()

    def size(n: yaml.Node, p: Path_) -> int:
        if id(n) in sizes:
            return sizes[id(n)]
        where = (label, n.start_mark.line + 1, ".".join(map(str, p)))
        if id(n) in expanding:
            raise InputError(
                Problem(
                    *where,
                    "aliases (*name) outside the anchor (&name) they repeat",
                    "an alias inside its own anchor (an endless document)",
                )
            )
        expanding.add(id(n))
        children: list[tuple[yaml.Node, Path_]] = []
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                children += [(k, p), (v, p + (k.value if isinstance(k, yaml.ScalarNode) else "?",))]
        elif isinstance(n, yaml.SequenceNode):
            children = [(v, p + (i,)) for i, v in enumerate(n.value)]
        total = 1
        for child, q in children:  # a loop, not sum(): one stack frame per level, fewer than the composer used
            total += size(child, q)
        if total > MAX_NODES:
            raise InputError(
                Problem(
                    *where,
                    f"at most {MAX_NODES:,} keys and values once aliases (*name) are expanded",
                    f"{total:,} from this entry alone",
                )
            )
        expanding.discard(id(n))
        sizes[id(n)] = total
        return total

    size(root, ())


# a top-level `language: zh` line, found in a file that is not valid YAML (its problems speak that language)
_LANGUAGE_LINE = re.compile(r"^language:[ \t]*(['\"]?)(zh|en)\1[ \t]*(#.*)?$", re.M)


def _read_yaml(path: Path, text: str | None = None) -> tuple[Any, dict[Path_, tuple[str, int]]]:
    """Safe-load YAML and record the line of every key path (1-based). `text`: the file's content as an editor holds
    it (None: read `path`). Its problems speak the language a top-level `language:` line of it states."""
    label = str(path)
    if text is None:
        text = read_text(path, CONSTRAINT_FILE)
    elif len(text.encode("utf-8", "surrogatepass")) > TEXT_LIMIT:
        raise InputError(Problem(label, None, "", f"{CONSTRAINT_FILE} of at most {TEXT_LIMIT:,} bytes", "more"))
    try:
        return _parsed(label, text)
    except InputError as e:
        stated = _LANGUAGE_LINE.search(text)
        if e.language is None and stated:
            e.language = stated.group(2)
        raise


def _parsed(label: str, text: str) -> tuple[Any, dict[Path_, tuple[str, int]]]:
    """`_read_yaml`'s work on the text of the file `label`."""
    try:
        loader = yaml.SafeLoader(text)  # its reader refuses unprintable characters at once
        node = loader.get_single_node()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        found = getattr(e, "problem", None) or str(e)
        raise InputError(Problem(label, line, "", phrase("valid YAML"), found)) from None
    except RecursionError:  # the composer recurses once per level of nesting
        raise InputError(
            Problem(
                label,
                loader.get_mark().line + 1,
                "",
                "YAML nested at most a few hundred levels deep",
                "lists or mappings nested too deeply to read",
            )
        ) from None
    if node is None:
        raise InputError(Problem(label, None, "", phrase("a YAML mapping of scenario keys"), phrase("an empty file")))
    _check_expansion(node, label)
    positions: dict[Path_, tuple[str, int]] = {}
    problems: list[Problem] = []
    constructor = yaml.SafeLoader("")

    def problem(n: yaml.Node, p: Path_, expected: str, found: str) -> None:
        """A problem at node `n` of key path `p`."""
        problems.append(Problem(label, n.start_mark.line + 1, ".".join(map(str, p)), expected, found))

    def construct(n: yaml.Node, p: Path_) -> Any:
        """A scalar (value or key) as Python; an unreadable one (month 13, a 5,000-digit integer) is a problem: UNREADABLE."""
        try:
            value = constructor.construct_object(n, deep=True)
        except (yaml.YAMLError, ValueError) as e:
            problem(n, p, phrase("a valid YAML value"), str(e).split(";")[0])
            return UNREADABLE
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as e:  # a lone surrogate ("\ud800"): no file or page could hold it
                problem(
                    n,
                    p,
                    "text of Unicode characters",
                    f"a lone surrogate (U+{ord(value[e.start]):04X}), which is no character",
                )
                return UNREADABLE
        return value

    def build(n: yaml.Node, p: Path_) -> Any:
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for k_node, v_node in n.value:
                scalar = isinstance(k_node, yaml.ScalarNode)  # a list or mapping is never a scenario key: not built
                key = construct(k_node, p) if scalar else None
                if key is UNREADABLE:
                    continue
                key = str(key) if isinstance(key, (int, float)) and not isinstance(key, bool) else key
                if not isinstance(key, str):
                    problem(k_node, p, phrase("a text key"), repr(key) if scalar else phrase("a list or mapping"))
                    continue
                if key in out:
                    problem(k_node, p + (key,), phrase("each key once"), phrase("a duplicate key"))
                positions[p + (key,)] = (label, k_node.start_mark.line + 1)
                out[key] = build(v_node, p + (key,))
            return out
        if isinstance(n, yaml.SequenceNode):
            items = []
            for i, item in enumerate(n.value):
                positions[p + (i,)] = (label, item.start_mark.line + 1)
                items.append(build(item, p + (i,)))
            return items
        return construct(n, p)

    data = build(node, ())
    if problems:
        raise InputError(problems)
    if not isinstance(data, dict):
        raise InputError(
            Problem(label, node.start_mark.line + 1, "", phrase("a YAML mapping of scenario keys"), type(data).__name__)
        )
    return data, positions


# keys whose value is one rule, replaced whole by a file that extends another: an `eligibility` rule merged key by key
# would keep the base's `require` under the child's conditions (an "all of" silently read as "any of")
WHOLE_KEYS = frozenset({"eligibility"})


def _merge(base: Any, over: Any, at: Path_ = (), replaced: list[Path_] | None = None) -> Any:
    """Deep-merge: mappings key by key, except under WHOLE_KEYS; everything else replaced by the override (a mapping
    that sets `name` but not `name_zh` drops the base's `name_zh`: it named something else). Each path where the
    override replaced a base value is added to `replaced` (its base positions no longer apply)."""
    if isinstance(base, dict) and isinstance(over, dict) and (not at or at[-1] not in WHOLE_KEYS):
        out = dict(base)
        if "name" in over and "name_zh" not in over:  # a name renamed in one language only: the other is stale
            out.pop("name_zh", None)
        for k, v in over.items():
            out[k] = _merge(base[k], v, (*at, k), replaced) if k in base else v
        return out
    if replaced is not None:
        replaced.append(at)
    return over


def _real(path: Path, where: Problem) -> Path:
    """The file's real path (symbolic links followed); InputError at `where` for a link loop or an impossible path."""
    try:
        return path.resolve()
    except (
        OSError,
        RuntimeError,
        ValueError,
    ) as e:  # RuntimeError: a symbolic link loop (Python < 3.13); ValueError: a NUL
        found = (
            "a symbolic link loop"
            if isinstance(e, RuntimeError) or getattr(e, "errno", None) == errno.ELOOP
            else f"{type(e).__name__}: {e}"
        )
        raise InputError(replace(where, found=f"{path}: {found}")) from None


def _load_merged(
    path: Path, chain: tuple[Path, ...], text: str | None = None
) -> tuple[dict, dict[Path_, tuple[str, int]], list[Path]]:
    """Read a file (its content `text` when given) and, recursively, the files it extends; later files win. `chain`:
    the real paths read so far.

    Each file's positions carry its own name, so a value keeps the file that wrote it (`LoadedSpec.path_of`)."""
    data, positions = _read_yaml(path, text)
    return _extended(data, positions, path, chain, [path])


def _extended(
    data: dict, positions: dict[Path_, tuple[str, int]], path: Path, chain: tuple[Path, ...], own: list[Path]
) -> tuple[dict, dict[Path_, tuple[str, int]], list[Path]]:
    """`data` (written at `path`, its keys at `positions`) merged over the files its `extends:` names, and every file
    read (`own`: the files `data` came from). A problem on the way speaks the language the file says it is in (the
    outermost file's that says one, as the merge would give it)."""
    try:
        return _merged_over_bases(data, positions, path, chain, own)
    except InputError as e:
        if data.get("language") in LANGUAGES:
            e.language = data["language"]
        raise


def _merged_over_bases(
    data: dict, positions: dict[Path_, tuple[str, int]], path: Path, chain: tuple[Path, ...], own: list[Path]
) -> tuple[dict, dict[Path_, tuple[str, int]], list[Path]]:
    """`_extended`'s work."""
    base_ref = data.get("extends")
    if base_ref is None:
        return data, positions, own
    at = Problem(
        str(path),
        positions[("extends",)][1] if ("extends",) in positions else None,
        "extends",
        phrase("a file path or `default`"),
        repr(base_ref),
    )
    if not isinstance(base_ref, str):
        raise InputError(at)
    if len(chain) >= MAX_EXTENDS:
        raise InputError(
            replace(
                at,
                expected=f"a chain of at most {MAX_EXTENDS} files",
                found=f"{base_ref!r}, file {len(chain) + 1} of the chain",
            )
        )
    base_path = models_file(DEFAULT_MODEL) if base_ref == "default" else (path.parent / base_ref)
    root = _within.get()
    if root is not None and base_ref != "default" and not _inside(base_path, root):
        raise InputError(replace(at, expected=_outside_words(root), found=str(base_path)))
    real = _real(base_path, at)
    if real in chain:
        raise InputError(replace(at, expected="a chain of files without a cycle", found=f"{base_path} extends itself"))
    why = not_readable(base_path)
    if why is not None:
        raise InputError(
            replace(
                at,
                expected=_did_you_mean_base(base_ref, base_path),
                found=phrase("{path}: {why}", path=str(base_path), why=why),
            )
        )
    base, base_pos, files = _load_merged(base_path, chain + (real,))
    replaced: list[Path_] = []
    merged = _merge(base, {k: v for k, v in data.items() if k != "extends"}, (), replaced)
    gone = set(replaced)  # a replaced value's base positions would locate the child's keys in the base file
    kept = {p: v for p, v in base_pos.items() if not any(p[:n] in gone for n in range(1, len(p) + 1))}
    return merged, {**kept, **positions}, files + own


MAX_LISTED = 1000  # files of a folder compared with a misspelt `extends:` target


def _did_you_mean_base(ref: str, path: Path) -> str:
    """What an `extends:` target not found should be: an existing file, with a hint: `default` if `ref` looks like it,
    else the closest file beside it (none for a file that is there but unreadable: too large, a folder, not allowed)."""
    plain = phrase("an existing file")
    try:
        if os.path.lexists(path):
            return plain
    except (OSError, ValueError):
        return plain
    if difflib.get_close_matches(ref.lower(), ["default"], n=1):
        return phrase("an existing file (did you mean `{name}`?)", name="default")
    try:
        names = [p.name for p in itertools.islice(path.parent.iterdir(), MAX_LISTED) if p.is_file()]
        close = difflib.get_close_matches(path.name, names, n=1)
        if close:
            return phrase("an existing file (did you mean `{name}`?)", name=Path(ref).with_name(close[0]).as_posix())
        return plain
    except (OSError, ValueError):  # an unlistable folder; a target with no file name ("", "..")
        return plain


def _known_key(known: list[str], key: str) -> str:
    """What an unknown key should be: a known key, with the closest one as a hint."""
    close = difflib.get_close_matches(key, known, n=1)
    return phrase("a known key (did you mean `{name}`?)", name=close[0]) if close else phrase("a known key")


def _did_you_mean_code(expected: str, code: str, entries: Any, what: str) -> str:
    """`expected` of an incomplete entry, with a hint where its code looks like a misspelling of a complete one."""
    if not isinstance(entries, dict):
        return expected
    others = [k for k in entries if k != code]
    close = difflib.get_close_matches(code, others, n=1, cutoff=0.5)
    if not close:
        return expected
    return phrase(
        "{expected} (is `{code}` a misspelt code of {what}? did you mean `{name}`?)",
        expected=expected,
        code=code,
        what=what,
        name=close[0],
    )


def _keys_at(loc: tuple[str | int, ...]) -> list[str]:
    """The keys the schema allows where the last key of `loc` stands (for did-you-mean hints); where either of two
    classes may stand (an eligibility item: a condition or a nested group), the keys of both."""
    model: Any = Scenario
    for k in loc[:-1]:
        if isinstance(model, tuple) and model[0] == "any":  # the class that has the next key
            model = next((m for m in model[1] if str(k) in m.model_fields), None)
        if isinstance(model, type) and issubclass(model, BaseModel):
            fld = model.model_fields.get(str(k))
            if fld is None:
                return []
            model = _unwrap(fld.annotation)
        elif isinstance(model, tuple) and model[0] == "map":
            model = model[1]
        else:
            return []
    if isinstance(model, tuple) and model[0] == "any":
        return [f for m in model[1] for f in m.model_fields]
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/dict wrappers: a model class, ("map", model), ("any", (model, ...)) for a union of several
    model classes, or None."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:  # e.g. an eligibility item: a condition or a nested group
        return _unwrap(args[0])
    if origin in (typing.Union, types.UnionType):
        found = [u for u in (_unwrap(a) for a in args) if u is not None]
        classes = tuple(u for u in found if isinstance(u, type))
        if len(classes) > 1:
            return ("any", classes)
        return found[0] if found else None
    if origin is dict:
        inner = _unwrap(args[1])
        return ("map", inner) if inner is not None else None
    if origin is list:
        inner = _unwrap(args[0])
        return ("map", inner) if inner is not None else None
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def load(path: str | Path | None = None, text: str | None = None, within: Path | None = None) -> LoadedSpec:
    """Load and validate a constraint file (default: the embedded default). `text`: the file's content as an editor
    holds it, read as if saved at `path` (its `extends:` and data paths relative to `path`'s folder, its problems
    located in it). `within`: a folder every file it names (`extends:` but `default`, PATH_FIELDS) must lie in (the
    workbench's: text from a page names nothing else of the machine). Raises InputError."""
    file = Path(path) if path is not None else models_file(DEFAULT_MODEL)
    token = _within.set(within)
    try:
        data, positions, files = _load_merged(
            file, (_real(file, Problem(str(file), None, "", CONSTRAINT_FILE, "")),), text
        )
    finally:
        _within.reset(token)
    spec = validated(data, file, positions, files)
    spec.text = text
    if within is not None:
        named = [(key, spec.path_of(*key)) for key in PATH_FIELDS]
        far = [spec.problem(key, _outside_words(within), str(p)) for key, p in named if p and not _inside(p, within)]
        if far:
            raise InputError(far)
    return spec


def stated_language(path: str | Path | None) -> str | None:
    """The language a constraint file states at its top level (`language: zh`), read on its own (no `extends:`
    followed); None where it states none or cannot be read. For the words of a problem found before the file is
    loaded (an --out that is a file), so that they speak the file's language as the later ones do."""
    if path is None:
        return None
    try:
        data, _ = _read_yaml(Path(path), None)
    except (InputError, OSError, ValueError):
        return None
    found = data.get("language")
    return found if found in LANGUAGES else None


SCENARIO_DICT = "scenario (dict)"  # how problems name a scenario given as a dict (it has no file and no lines)


def load_dict(data: Any, base: str | Path | None = None) -> LoadedSpec:
    """Validate a scenario given as a dict (what a constraint file holds, e.g. `yaml.safe_load` of one): the checks
    and problems of `load`, each naming its key path. Relative paths (`extends`, regions' files) are read from
    `base` (default: the current folder); keys a base file (`extends`) sets keep that file's lines. Raises InputError."""
    file = Path(base or ".") / SCENARIO_DICT
    label = str(file)
    if not isinstance(data, dict):
        raise InputError(Problem(label, None, "", "a mapping of scenario keys", type(data).__name__))
    problems: list[Problem] = []
    own: set[Path_] = set()  # the key paths the dict sets: a base file's line is not theirs

    def plain(value: Any, p: Path_) -> Any:
        """A copy with text keys (numbers become text, as YAML keys do); other keys are problems."""
        own.add(p)
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                k = str(k) if isinstance(k, (int, float)) and not isinstance(k, bool) else k
                if isinstance(k, str):
                    out[k] = plain(v, p + (k,))
                else:
                    problems.append(Problem(label, None, ".".join(map(str, p)), "a text key", repr(k)[:120]))
            return out
        return [plain(v, p + (i,)) for i, v in enumerate(value)] if isinstance(value, (list, tuple)) else value

    data = plain(data, ())
    if problems:
        raise InputError(problems)
    data, positions, files = _extended(data, {}, file, (), [])
    return validated(data, file, {p: at for p, at in positions.items() if p not in own}, files)


def validated(data: dict, file: Path, positions: dict[Path_, tuple[str, int]], files: list[Path]) -> LoadedSpec:
    """`data` (read from `file` and the `files` it extends; `positions`: the line of each key) validated against
    the schema; InputError with every problem located (did-you-mean hints for unknown keys and misspelt codes)."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        # a placeholder scenario (never validated): only `problem`, which reads the file and positions, is used
        spec = LoadedSpec(Scenario.model_construct(name="", industries={}), file, positions, files)
        problems = []
        for err in e.errors():
            loc = tuple(k for k in err["loc"] if not (isinstance(k, str) and k.startswith(("function-", "literal["))))
            missing = err["type"] == "missing"
            found = phrase("nothing (the key is missing)") if missing else repr(err.get("input"))[:120]
            expected = expected_of(err)
            if missing and len(loc) == 3 and loc[0] in ("industries", "groups"):
                expected = _did_you_mean_code(expected, str(loc[1]), data.get(loc[0]), str(loc[0]))
            if err["type"] == "extra_forbidden":
                expected = _known_key(_keys_at(loc), str(loc[-1]))
                found = phrase("unknown key `{key}`", key=str(loc[-1]))
            problems.append(spec.problem(loc, expected, found))
        error = InputError(problems)
        if error.language is None and data.get("language") in LANGUAGES:  # the file's own, where it says one
            error.language = data["language"]
        raise error from None
    return LoadedSpec(scenario, file, positions, files)


def json_schema() -> dict:
    """JSON Schema of the constraint file, for editor completion."""
    return Scenario.model_json_schema()
