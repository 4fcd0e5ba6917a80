"""The mapping file: an analyst's own table, column and value names mapped onto crmbook's.

The format is described in the package documentation (``help(crmbook.data)``, section "Mapping file");
:func:`read_mapping` reads it and checks it before any data is read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crmbook.data.schemas import SCHEMAS

__all__ = ["read_mapping"]

_MAPPING_KEYS = {"file", "sheet", "query", "columns", "values", "dayfirst", "date_format", "encoding"}


def _dayfirst(value: Any, table: str, errors: list[str]) -> bool | None:
    """``dayfirst`` of a table's entry: ``True``, ``False``, or ``None`` (absent: the data decide)."""
    if value is None or isinstance(value, bool):
        return value
    errors.append(f"{table}.dayfirst: expected true or false, found {value!r}")
    return None


def _section(spec: Mapping[str, Any], key: str, table: str, expected: str, errors: list[str]) -> Mapping:
    """The mapping under ``key`` of a table's entry (empty when absent); a non-mapping is an error."""
    section = spec.get(key) or {}
    if not isinstance(section, Mapping):
        errors.append(f"{table}.{key}: expected {expected}, found {section!r}")
        return {}
    return section


def read_mapping(mapping: str | os.PathLike | Mapping | None) -> dict[str, dict[str, Any]]:
    """Read and check a column-mapping file (format in the package documentation, ``help(crmbook.data)``).

    Parameters
    ----------
    mapping : path, dict or None
        A YAML file, an already-parsed dict (same structure), or None / ``""`` for no mapping.

    Returns
    -------
    dict
        ``{table: {"file", "sheet", "query", "columns", "values", "dayfirst", "date_format", "encoding"}}`` for the
        tables the mapping names, with keys and values as strings.

    Raises
    ------
    FileNotFoundError
        The mapping file does not exist.
    ValueError
        The mapping is malformed: an unknown table or key, a target column crmbook does not know, both
        ``file`` and ``query`` for one table. The message names the mapping file.
    """
    if mapping is None or (isinstance(mapping, str) and not mapping.strip()):
        return {}
    if isinstance(mapping, Mapping):
        raw, label = dict(mapping), "mapping"
    else:
        import yaml

        path = Path(mapping).expanduser()
        label = f"mapping file {path}"
        if not path.is_file():
            raise FileNotFoundError(f"{label} does not exist")
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            from crmbook.data.sources.files import decode_error_message

            raise ValueError(decode_error_message(data, label)) from None
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            at = f" at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
            raise ValueError(f"{label} is not valid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
        raw = raw or {}
    if not isinstance(raw, Mapping):
        raise ValueError(f"{label}: expected a table name per top-level key (customers:, orders: ...), "
                         f"found {type(raw).__name__}")
    errors: list[str] = []
    out: dict[str, dict[str, Any]] = {}
    for table, spec in raw.items():
        table = str(table)
        if table not in SCHEMAS:
            errors.append(f"table {table!r} is not a crmbook table (tables: {', '.join(SCHEMAS)})")
            continue
        spec = spec or {}
        if not isinstance(spec, Mapping):
            errors.append(f"{table}: expected keys such as file:, columns:, values:, found {spec!r}")
            continue
        unknown = set(map(str, spec)) - _MAPPING_KEYS
        if unknown:
            errors.append(f"{table}: unknown key(s) {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(_MAPPING_KEYS))})")
        schema = SCHEMAS[table]
        entry: dict[str, Any] = {"columns": {}, "values": {}, "dayfirst": _dayfirst(spec.get("dayfirst"), table, errors),
                                 "date_format": spec.get("date_format"), "file": spec.get("file"),
                                 "sheet": spec.get("sheet"), "query": spec.get("query"),
                                 "encoding": spec.get("encoding")}
        if entry["encoding"] is not None:
            import codecs

            try:
                codecs.lookup(str(entry["encoding"]))
            except LookupError:
                errors.append(f"{table}.encoding: {entry['encoding']!r} is not an encoding Python knows "
                              "(e.g. utf-8, gb18030, cp1252, utf-16)")
        if entry["file"] is not None and entry["query"] is not None:
            errors.append(f"{table}: give either file: or query:, not both")
        columns = _section(spec, "columns", table, "'their name: our name' pairs", errors)
        for theirs, ours in columns.items():
            if schema.column(str(ours)) is None:
                errors.append(f"{table}.columns: {theirs!r} is mapped to {ours!r}, which is not a column of "
                              f"{table} (columns: {', '.join(c.name for c in schema.columns)})")
            entry["columns"][str(theirs).strip()] = str(ours)
        targets = list(entry["columns"].values())
        doubled = sorted({t for t in targets if targets.count(t) > 1})
        if doubled:
            errors.append(f"{table}.columns: several columns are mapped to {', '.join(doubled)}")
        values = _section(spec, "values", table, "'column: {their value: our value}'", errors)
        for col, pairs in values.items():
            if schema.column(str(col)) is None:
                errors.append(f"{table}.values: {col!r} is not a column of {table}")
                continue
            if not isinstance(pairs, Mapping):
                errors.append(f"{table}.values.{col}: expected 'their value: our value' pairs, found {pairs!r}")
                continue
            entry["values"][str(col)] = {_yaml_text(k): _yaml_text(v) for k, v in pairs.items()}
        out[table] = entry
    if errors:
        raise ValueError(f"{label} has {len(errors)} problem(s):\n  - " + "\n  - ".join(errors))
    return out


def _yaml_text(value: Any) -> str:
    """YAML reads ``1: M`` with an int key and ``yes`` as True; the data is text, so map them back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

