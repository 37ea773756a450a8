"""One configuration object: a TOML file, then `AUTARKY_*` environment overrides (`__` nests); and the one way a
section of it is read: a dataclass spec per section (declared by the stage that owns it), parsed by `read_section`,
whose errors name the file (or the environment variable), the table, the key and what was expected."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import os
import tomllib
import types
import typing
from collections import abc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generic, Mapping, TypeVar, Union

from autarky.errors import ConfigError
from autarky.periods import FREQUENCIES

ENV_PREFIX = "AUTARKY_"
CONFIG_ENV = "AUTARKY_CONFIG"
DEFAULT_CONFIG_PATH = Path("autarky.toml")
DEFAULT_DATABASE_URL = "sqlite:///autarky.db"
# Environment variables with the prefix that are not configuration keys.
_NOT_SETTINGS = {CONFIG_ENV, "AUTARKY_TEST_POSTGRES_URL"}


@dataclass(frozen=True)
class Config:
    """Merged settings; `section()` gives the part a component owns."""

    data: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    # Which keys (as paths of table names) came from which environment variable.
    env_keys: Mapping[tuple[str, ...], str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        """How errors name the file: its path, or autarky.toml when there is none."""
        return str(self.path) if self.path else DEFAULT_CONFIG_PATH.name

    @property
    def database_url(self) -> str:
        return str(self.data.get("database_url") or DEFAULT_DATABASE_URL)

    def section(self, *keys: str) -> dict[str, Any]:
        """The nested table at `keys` (empty when absent)."""
        node: Any = self.data
        for key in keys:
            node = node.get(key, {}) if isinstance(node, Mapping) else {}
        if not isinstance(node, Mapping):
            raise ConfigError(f"config key {'.'.join(keys)} must be a table, got {node!r}")
        return dict(node)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def read(self, spec: type[S], *table: str) -> S:
        """The table at `table` parsed into the section spec `spec` (see `read_section`)."""
        node: Any = self.data
        for number, key in enumerate(table):
            node = node.get(key, {}) if isinstance(node, Mapping) else {}
            if not isinstance(node, Mapping):
                inside = f" [{'.'.join(table[:number])}]" if number else ""
                raise ConfigError(f"{self._source(table[:number + 1])}{inside} {key}: expected a table, got "
                                  f"{describe(node)}")
        return read_section(spec, node, ".".join(table), origin=self.origin, env_keys=self.env_keys)

    def _source(self, path: tuple[str, ...]) -> str:
        return _source(self.origin, self.env_keys, path)


def load_config(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the TOML file (optional unless named explicitly) and apply environment overrides."""
    environ = os.environ if environ is None else environ
    explicit = path is not None or CONFIG_ENV in environ
    file_path = Path(path or environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH)
    data: dict[str, Any] = {}
    env_keys: dict[tuple[str, ...], str] = {}
    if file_path.exists():
        try:
            data = tomllib.loads(file_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file_path}: invalid TOML: {exc}") from None
    elif explicit:
        raise ConfigError(f"config file {file_path} does not exist")
    for name, raw in environ.items():
        if name.startswith(ENV_PREFIX) and name not in _NOT_SETTINGS:
            keys = name[len(ENV_PREFIX):].lower().split("__")
            _set_nested(data, keys, _parse_env_value(raw), name)
            env_keys[tuple(keys)] = name
    return Config(data=data, path=file_path if file_path.exists() else None, env_keys=env_keys)


def _parse_env_value(raw: str) -> Any:
    """Numbers and booleans as TOML reads them; anything else stays a string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _set_nested(data: dict[str, Any], keys: list[str], value: Any, env_name: str) -> None:
    node = data
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{env_name}: config key {key!r} is not a table")
        node = child
    node[keys[-1]] = value


# ---------------------------------------------------------------------------- section specs
S = TypeVar("S")
T = TypeVar("T")
_MISSING = dataclasses.MISSING


def setting(default: Any = _MISSING, *, default_factory: Any = _MISSING, expected: str | None = None,
            check: Callable[[Any], Any] | None = None, rest: bool = False) -> Any:
    """A field of a section spec. `expected` words the type in errors ("a list of model names"); `check` takes the
    typed value and returns it (possibly converted) or raises ValueError with the problem; `rest`: this field (a
    dict) takes every key the spec does not name, instead of those being refused as unknown. For a PerFrequency
    or dict field, `check` sees each value (the common one and each by frequency; each of the table)."""
    metadata = {"expected": expected, "check": check, "rest": rest}
    if default_factory is not _MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def positive(value: Any) -> Any:
    """A `check` for numbers that must be above 0 (None passes: not set)."""
    if value is not None and value <= 0:
        raise ValueError(f"must be above 0, got {value!r}")
    return value


def not_negative(value: Any) -> Any:
    """A `check` for numbers that may be 0 but not below."""
    if value is not None and value < 0:
        raise ValueError(f"must be 0 or more, got {value!r}")
    return value


@dataclass(frozen=True)
class PerFrequency(Generic[T]):
    """A setting given once for every frequency, or as a table by frequency label (annual, quarterly, monthly)."""

    common: Any = None
    by_label: Mapping[str, Any] = field(default_factory=dict)

    def get(self, code: str, default: Any = None) -> Any:
        label = FREQUENCIES[code].label
        if label in self.by_label:
            return self.by_label[label]
        return default if self.common is None else self.common


class _Bad(Exception):
    """A value that does not fit, with the key path (below the section) it sits at."""

    def __init__(self, path: tuple[str, ...], problem: str):
        super().__init__(problem)
        self.path, self.problem = path, problem


def describe(value: Any) -> str:
    """A value as errors show it: the string 'ets', the number 3, true, the list [...], a table {...}."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, (list, tuple)):
        return f"the list {list(value)!r}"
    if isinstance(value, Mapping):
        return f"a table {dict(value)!r}"
    if isinstance(value, (dt.date, dt.time)):
        return f"the date/time {value.isoformat()}"
    return repr(value)


def read_section(spec: type[S], table: Mapping[str, Any], name: str, *, origin: str = "autarky.toml",
                 env_keys: Mapping[tuple[str, ...], str] | None = None) -> S:
    """`table` (the config table called `name`, e.g. "forecast" or "collectors.worldbank") as an instance of the
    dataclass `spec`: every key typed by the field's annotation, unknown keys refused with the closest known ones.
    ConfigError reads "<file or environment variable> [<table>] <key>: <problem>"."""
    env_keys = env_keys or {}
    prefix = tuple(name.split(".")) if name else ()
    try:
        return _parse_spec(spec, table, ())
    except _Bad as bad:
        inner, key = bad.path[:-1], bad.path[-1] if bad.path else ""
        where = ".".join((*prefix, *inner))
        source = _source(origin, env_keys, (*prefix, *bad.path))
        table_label = f" [{where}]" if where else ""  # the top level has no table name
        raise ConfigError(f"{source}{table_label} {key}: {bad.problem}") from None


def _source(origin: str, env_keys: Mapping[tuple[str, ...], str], path: tuple[str, ...]) -> str:
    for length in range(len(path), 0, -1):
        if path[:length] in env_keys:
            return f"environment variable {env_keys[path[:length]]}"
    return origin


def _parse_spec(spec: type[S], table: Any, path: tuple[str, ...]) -> S:
    if not isinstance(table, Mapping):
        raise _Bad(path, f"expected a table, got {describe(table)}")
    hints = typing.get_type_hints(spec)
    specs = {f.name: f for f in dataclasses.fields(spec) if f.init}
    rest = next((f.name for f in specs.values() if f.metadata.get("rest")), None)
    values: dict[str, Any] = {}
    extra = {key: value for key, value in table.items() if key not in specs or key == rest}
    if extra and rest is None:
        key = sorted(extra)[0]
        raise _Bad((*path, key), _unknown(key, [k for k in specs if k != rest]))
    for key, f in specs.items():
        if key == rest or key not in table:
            continue
        values[key] = _field_value(f, hints[key], table[key], (*path, key))
    if rest is not None:
        values[rest] = {k: _typed(_value_type(hints[rest]), v, (*path, k)) for k, v in extra.items()}
    missing = [k for k, f in specs.items() if k not in values and f.default is _MISSING
               and f.default_factory is _MISSING]
    if missing:
        raise _Bad((*path, missing[0]), "required")
    return spec(**values)


def _unknown(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown key{hint} (known: {', '.join(sorted(known)) or 'none'})"


def _field_value(f: dataclasses.Field, tp: Any, value: Any, path: tuple[str, ...]) -> Any:
    typed = _typed(tp, value, path, f.metadata.get("expected"))
    check = f.metadata.get("check")
    if check is None:
        return typed
    if isinstance(typed, PerFrequency):  # each value checked where it is written
        return PerFrequency(None if typed.common is None else _checked(check, typed.common, path),
                            {label: _checked(check, v, (*path, label)) for label, v in typed.by_label.items()})
    if isinstance(typed, dict):
        return {key: _checked(check, v, (*path, key)) for key, v in typed.items()}
    return _checked(check, typed, path)


def _checked(check: Callable[[Any], Any], value: Any, path: tuple[str, ...]) -> Any:
    try:
        return check(value)
    except ValueError as exc:
        raise _Bad(path, str(exc)) from None


def _value_type(tp: Any) -> Any:
    """The value type of a dict[str, X] annotation."""
    args = typing.get_args(tp)
    return args[1] if len(args) == 2 else Any


def _expected(tp: Any) -> str:
    """What an annotation asks for, in words."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is bool:
        return "true or false"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if tp is str:
        return "a string"
    if origin in (Union, types.UnionType):
        return " or ".join(_expected(a) for a in args if a is not type(None))
    if origin is typing.Literal:
        return f"one of {', '.join(repr(a) for a in args)}"
    if origin in (tuple, list):
        inner = _expected(args[0]) if args else "values"
        return "a list of " + {"a string": "strings", "a whole number": "whole numbers", "a number": "numbers",
                               "a table": "tables"}.get(inner, inner)
    if origin is PerFrequency or tp is PerFrequency:
        inner = _expected(args[0]) if args else "a value"
        return f"{inner}, or a table of them by frequency ({', '.join(f.label for f in FREQUENCIES.values())})"
    if dataclasses.is_dataclass(tp) or origin in (dict, abc.Mapping) or tp in (dict, Mapping):
        return "a table"
    return "a value"


def _typed(tp: Any, value: Any, path: tuple[str, ...], expected: str | None = None) -> Any:
    """`value` checked against (and converted to) the annotation `tp`; _Bad naming what was expected otherwise."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)

    def bad() -> _Bad:
        return _Bad(path, f"expected {expected or _expected(tp)}, got {describe(value)}")

    if tp is Any:
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise bad()
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad()
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad()
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise bad()
        return value
    if origin in (Union, types.UnionType):
        for arg in (a for a in args if a is not type(None)):
            try:
                return _typed(arg, value, path)
            except _Bad:
                continue
        raise bad()
    if origin is typing.Literal:
        if value not in args:
            raise bad()
        return value
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise bad()
        inner = args[0] if args else Any
        items = []
        for number, item in enumerate(value, start=1):
            try:
                items.append(_typed(inner, item, (*path[:-1], f"{path[-1]} #{number}") if path else (f"#{number}",)))
            except _Bad as exc:
                if dataclasses.is_dataclass(inner):
                    raise
                raise bad() from exc
        return tuple(items) if origin is tuple else items
    if origin is PerFrequency or tp is PerFrequency:
        inner = args[0] if args else Any
        if isinstance(value, Mapping) and not dataclasses.is_dataclass(inner) and typing.get_origin(inner) not in (dict, abc.Mapping):
            labels = [f.label for f in FREQUENCIES.values()]
            by_label = {}
            for label, item in value.items():
                if label not in labels:
                    raise _Bad((*path, label), _unknown(label, labels))
                by_label[label] = _typed(inner, item, (*path, label), expected)
            return PerFrequency(None, by_label)
        try:
            return PerFrequency(_typed(inner, value, path), {})
        except _Bad:
            raise bad() from None
    if dataclasses.is_dataclass(tp):
        return _parse_spec(tp, value, path)
    if origin in (dict, abc.Mapping) or tp in (dict, Mapping):
        if not isinstance(value, Mapping):
            raise bad()
        inner = args[1] if len(args) == 2 else Any
        return {str(k): _typed(inner, v, (*path, str(k))) for k, v in value.items()}
    raise TypeError(f"section spec: unsupported annotation {tp!r}")
