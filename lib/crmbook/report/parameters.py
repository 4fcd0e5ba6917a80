"""Topic notebooks and their parameters: finding them, reading the ``parameters`` cell, checking values.

Papermill accepts a misspelt parameter with only a warning and runs on the default, so the runner reads
each notebook's ``parameters`` cell itself (:func:`parse_parameters`: one ``name: type = default  # help``
per line) and checks every value's name and type before any kernel starts (:func:`check_parameters`).

Values are also checked against the **allowed ranges and choices** (:class:`Allowed`), declared in one of
two places, so a topic adds its own without touching the runner:

- :data:`PARAMETER_RULES` (by parameter name, for every topic that declares the parameter),
  :data:`TOPIC_PARAMETER_RULES` (by topic name, overriding it) and :data:`PARAMETER_ORDER` (pairs
  such as ``k_min <= k_max``), in this module;
- or a marker at the end of the parameter's comment in the notebook's ``parameters`` cell:
  ``rfm_bins: int = 5  # number of RFM scores [2..10]``, ``share: float = 0.2  # ... [0<..1]`` (``<``
  beside the dots leaves that bound out), ``[0..]`` (no upper bound), ``[one of: en, zh]``. A marker
  in the notebook wins over the registry. ``crmbook topics`` (and ``papermill --help-notebook``) show it.

An ``as_of`` more than :data:`AS_OF_MARGIN_DAYS` after the data's last order is warned about by the
runner (:func:`as_of_warning`).

The topics of the project's ``notebooks/`` folder are the ones declared in :mod:`crmbook.topics`; in any
other folder every ``NN_name.ipynb`` is a topic (:func:`find_topics`).
"""

from __future__ import annotations

import ast
import contextlib
import datetime as _dt
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmbook import topics as registry
from crmbook.context import LANGUAGES
from crmbook.errors import UsageError

__all__ = [
    "AS_OF_MARGIN_DAYS",
    "Allowed",
    "PARAMETER_ORDER",
    "PARAMETER_RULES",
    "TOPIC_PARAMETER_RULES",
    "Parameter",
    "Topic",
    "check_parameters",
    "default_notebooks_dir",
    "describe_topics",
    "find_topics",
    "load_config",
    "parse_parameters",
    "select_topics",
    "as_of_warning",
    "check_ranges",
    "rule_of",
]


_TOPIC_FILE = re.compile(r"^(?P<number>\d{2})_(?P<name>[a-z0-9_]+)\.ipynb$")


@dataclass(frozen=True)
class Parameter:
    """One line of a notebook's ``parameters`` cell: ``name: type = default  # help``."""

    name: str
    type: str
    default: Any
    help: str = ""
    default_text: str = ""  # the default as written in the notebook


@dataclass(frozen=True)
class Topic:
    """A topic notebook ``NN_name.ipynb``, with its parameters and, when its name is declared in
    :mod:`crmbook.topics`, that declaration (``spec``; None for an analyst's own topic)."""

    number: str
    name: str
    path: Path
    parameters: dict[str, Parameter] = field(default_factory=dict)
    spec: registry.TopicSpec | None = None

    @property
    def stem(self) -> str:
        """``"01_segmentation"``."""
        return f"{self.number}_{self.name}"


@dataclass(frozen=True)
class Allowed:
    """The values a parameter may take: a range of numbers (``low``/``high``, each included unless
    ``low_open``/``high_open``; None for no bound) or a list of ``choices``."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] | None = None

    def allows(self, value: Any) -> bool:
        """Whether ``value`` (already of the declared type) is allowed."""
        if self.choices is not None:
            return str(value) in self.choices
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return True  # not a number: the type check has spoken
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return not (self.high is not None and (value >= self.high if self.high_open else value > self.high))

    def text(self) -> str:
        """``"between 2 and 10"``, ``"above 0 and at most 1"``, ``"one of en, zh"``, ``"at least 0"``."""
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)

        def num(x: float) -> str:
            return f"{int(x)}" if float(x).is_integer() else f"{x:g}"

        lows = (f"above {num(self.low)}" if self.low_open else f"at least {num(self.low)}") if self.low is not None else ""
        highs = (f"below {num(self.high)}" if self.high_open else f"at most {num(self.high)}") \
            if self.high is not None else ""
        if self.low is not None and self.high is not None and not (self.low_open or self.high_open):
            return f"between {num(self.low)} and {num(self.high)}"
        return " and ".join(t for t in (lows, highs) if t) or "any value"

    def marker(self) -> str:
        """The notebook-comment form: ``[2..10]``, ``[0<..1]``, ``[one of: en, zh]``."""
        if self.choices is not None:
            return f"[one of: {', '.join(self.choices)}]"
        def num(x: float) -> str:
            return f"{int(x)}" if float(x).is_integer() else f"{x:g}"

        low = "" if self.low is None else num(self.low) + ("<" if self.low_open else "")
        high = "" if self.high is None else ("<" if self.high_open else "") + num(self.high)
        return f"[{low}..{high}]"


#: Allowed values by parameter name, for every topic that declares the parameter. A topic adds its own
#: here (or in :data:`TOPIC_PARAMETER_RULES`, or as a ``[..]`` marker in its parameters cell).
PARAMETER_RULES: dict[str, Allowed] = {
    "language": Allowed(choices=tuple(LANGUAGES)),
    "rfm_bins": Allowed(2, 10),  # 1 cannot rank; above 10 most customers fall out of the named segments
    "abc_top_share": Allowed(0, 1, low_open=True),
    "abc_growth": Allowed(-1, 10),  # a fraction: -100 % to +1,000 %
    "abc_max_gap_days": Allowed(1, 3660),
    "k_min": Allowed(2, 20),
    "k_max": Allowed(2, 20),
    "seed": Allowed(0, 2**32 - 1),
    "target_split": Allowed(0, 1, low_open=True, high_open=True),
    "contacts_per_segment": Allowed(0, 100_000),
    # shared by several topics
    "confidence": Allowed(0, 1, low_open=True, high_open=True),  # 0.95 is 95 %
    "min_group": Allowed(1, 1_000_000),
    # 02 lifecycle (0 for the two thresholds: derived from the data's own gaps between orders)
    "at_risk_days": Allowed(0, 3660),
    "inactive_days": Allowed(0, 3660),
    "loyal_orders": Allowed(2, 1000),
    "flow_months": Allowed(1, 120),
    "cohort_months": Allowed(1, 120),
    "horizon_days": Allowed(1, 3660),
    "top_value_share": Allowed(0, 1, low_open=True),
    "birthday_days": Allowed(0, 366),
    "revisit_days": Allowed(1, 3660),
    "follow_up_within": Allowed(7, 3660),  # new customers whose first order is 7 to this many days old
    "event_invites": Allowed(0, 1_000_000),
    "plan_rows": Allowed(0, 10_000),
    # 03 satisfaction
    "min_n": Allowed(1, 1_000_000),
    "target_nps": Allowed(-100, 100),
    "target_csat": Allowed(0, 1),
    "target_ces": Allowed(1, 7),
    "complaint_target_hours": Allowed(0, 8760, low_open=True),
    "repeat_days": Allowed(1, 3660),
    "churn_days": Allowed(1, 3660),
    "lookback_days": Allowed(1, 3660),
    "drop_points": Allowed(1, 10),
    "repair_rows": Allowed(0, 10_000),
    # 04 cost accounting
    "cac_period": Allowed(choices=("year", "month")),
    # 05 ROI
    "discount_rate": Allowed(0, 1),  # a yearly rate: 0.10 is 10 %
    "clv_years": Allowed(1, 50),
    "time_unit": Allowed(choices=("D", "W", "M")),
    "purchase_model": Allowed(choices=("bgnbd", "pareto_nbd")),
    "holdout_months": Allowed(1, 60),
    "min_control": Allowed(1, 1_000_000),
    "response_days": Allowed(1, 365),
    "loyalty_cost_per_member": Allowed(0, None),
}

#: Per topic name (``"segmentation"``): allowed values that differ from :data:`PARAMETER_RULES`.
TOPIC_PARAMETER_RULES: dict[str, dict[str, Allowed]] = {}

#: Pairs of parameters whose values must be in order (``first <= second``), checked with the defaults.
PARAMETER_ORDER: tuple[tuple[str, str], ...] = (("k_min", "k_max"),)

#: Days an ``as_of`` may lie after the data's last order before the runner warns (a typing slip such as
#: 2925-12-31, or the wrong export: every customer would look lapsed).
AS_OF_MARGIN_DAYS = 365

_MARKER = re.compile(r"\[\s*(?:one of:\s*(?P<choices>[^\]]+)|(?P<low>-?[0-9.e+]+)?\s*(?P<lo><)?\.\.(?P<ho><)?\s*"
                     r"(?P<high>-?[0-9.e+]+)?)\s*\]\s*$")


def _marker_rule(help_text: str) -> Allowed | None:
    """The :class:`Allowed` of a ``[2..10]`` / ``[0<..1]`` / ``[one of: a, b]`` marker ending a comment."""
    match = _MARKER.search(help_text)
    if not match:
        return None
    if match["choices"]:
        return Allowed(choices=tuple(c.strip() for c in match["choices"].split(",") if c.strip()))
    try:
        low = float(match["low"]) if match["low"] else None
        high = float(match["high"]) if match["high"] else None
    except ValueError:
        return None
    return Allowed(low, high, low_open=bool(match["lo"]), high_open=bool(match["ho"]))


def rule_of(topic: Topic, name: str) -> Allowed | None:
    """The allowed values of parameter ``name`` in ``topic``: its notebook's marker, else the registry."""
    param = topic.parameters.get(name)
    if param is not None and (rule := _marker_rule(param.help)) is not None:
        return rule
    return TOPIC_PARAMETER_RULES.get(topic.name, {}).get(name, PARAMETER_RULES.get(name))


def check_ranges(per_topic: Mapping[str, Mapping[str, Any]], topics: Sequence[Topic]) -> list[str]:
    """Messages for the values outside their allowed range or choices, and for pairs out of order
    (:data:`PARAMETER_ORDER`, with the notebook defaults for what was not given); empty when all is well."""
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    for topic in topics:
        given = per_topic.get(topic.stem, {})
        for name, value in given.items():
            rule = rule_of(topic, name)
            if rule is not None and not rule.allows(value) and (name, repr(value)) not in seen:
                seen.add((name, repr(value)))
                errors.append(f"parameter {name!r} must be {rule.text()} (declared for {topic.stem}), "
                              f"got {value!r}")
        for first, second in PARAMETER_ORDER:
            if first in topic.parameters and second in topic.parameters and (first in given or second in given):
                a = given.get(first, topic.parameters[first].default)
                b = given.get(second, topic.parameters[second].default)
                if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a > b \
                        and (first, second) not in seen:
                    seen.add((first, second))
                    errors.append(f"parameters {first!r} and {second!r} must satisfy {first} <= {second} "
                                  f"({topic.stem}), got {first} {a!r} and {second} {b!r}")
    return errors


def as_of_warning(as_of: Any, last_date: Any) -> str | None:
    """A warning when ``as_of`` lies more than :data:`AS_OF_MARGIN_DAYS` after ``last_date`` (the data's
    last order), else None."""
    try:
        end = _dt.date.fromisoformat(str(as_of)[:10])
        last = _dt.date.fromisoformat(str(last_date)[:10])
    except ValueError:
        return None
    gap = (end - last).days
    if gap <= AS_OF_MARGIN_DAYS:
        return None
    return (f"warning: as_of {end.isoformat()} is {gap:,} days after the data's last order ({last.isoformat()}), "
            f"more than {AS_OF_MARGIN_DAYS} days: every customer will look lapsed. Is the date, or the export, "
            "the one you meant?")


def default_notebooks_dir() -> Path:
    """``notebooks/`` of the project, found from the package location (not the working directory).

    ``lib/crmbook/report/`` -> the project folder three levels up: right for the editable install
    (``pip install -e .`` from a clone). After a non-editable install that folder does not exist and
    :func:`find_topics` says so (pass the folder explicitly there).
    """
    return Path(__file__).resolve().parents[3] / "notebooks"


def _parameters_cell(nb: Mapping[str, Any]) -> str | None:
    """Source of the notebook's cell tagged ``parameters`` (None when there is none); ``nb`` is a notebook
    as read by nbformat, or its JSON as a dict (a cell's source is then a string or a list of lines)."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell["source"]
            return source if isinstance(source, str) else "".join(source)
    return None


def parse_parameters(source: str) -> dict[str, Parameter]:
    """The parameters declared in a ``parameters`` cell, one per line: ``name: type = default  # help``.

    Read with :mod:`ast` and :mod:`tokenize` (Papermill's own reader gives up on a line whose comment
    holds a quote). A line without annotation (``name = default``) takes the type of its default.

    Raises
    ------
    UsageError
        The cell is not valid Python.
    """
    import io
    import tokenize

    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise UsageError(f"the parameters cell is not valid Python: {exc}") from exc
    comments: dict[int, str] = {}
    with contextlib.suppress(tokenize.TokenError, IndentationError):
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    params: dict[str, Parameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value_node = node.target.id, node.value
            type_name = ast.unparse(node.annotation)
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name)):
            name, value_node, type_name = node.targets[0].id, node.value, ""
        else:
            continue
        text = ast.get_source_segment(source, value_node) or ast.unparse(value_node)
        try:
            default = ast.literal_eval(value_node)
        except ValueError:
            default = text
        if not type_name:
            type_name = type(default).__name__ if default is not None else "None"
        params[name] = Parameter(name=name, type=type_name, default=default,
                                 help=comments.get(node.end_lineno or node.lineno, ""), default_text=text)
    return params


def _read_parameters(path: Path) -> dict[str, Parameter]:
    # the notebook's JSON, read as JSON: nbformat's import alone (jsonschema and its grammars) takes over a
    # second, which the runner spends later, while the data are checked (crmbook.report.runner._check_data)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("not a notebook: no list of cells")
        source = _parameters_cell(nb)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:  # a broken notebook file
        raise UsageError(f"cannot read notebook {path.name}: {exc}") from exc
    if source is None:
        return {}
    try:
        return parse_parameters(source)
    except UsageError as exc:
        raise UsageError(f"{path.name}: {exc}") from exc


def find_topics(notebooks_dir: str | os.PathLike[str] | None = None) -> list[Topic]:
    """The topic notebooks of a folder, in their numbered order, with their parameters.

    In the project's own ``notebooks/`` folder (:func:`default_notebooks_dir`) the topics are the ones
    declared in the registry :mod:`crmbook.topics`: each declared notebook must be there, and every
    ``NN_name.ipynb`` there must be declared. In any other folder (an analyst's own notebooks, the tests'
    fixtures) every ``NN_name.ipynb`` is a topic, and carries the registry's declaration when its name is
    declared there.

    Parameters
    ----------
    notebooks_dir : path, optional
        Folder of the notebooks; default :func:`default_notebooks_dir`.

    Returns
    -------
    list of Topic
        Sorted by number; each with the parameters read from its ``parameters`` cell.

    Raises
    ------
    UsageError
        The folder does not exist (for the default folder: how to install so that it does); in the
        default folder, a declared notebook is missing or a notebook is not declared.
    """
    if notebooks_dir is None and not default_notebooks_dir().is_dir():
        raise UsageError(f"the project's notebooks folder {default_notebooks_dir()} does not exist: crmbook is "
                         "installed without its project folder (a non-editable install). Install it with "
                         "`pip install -e .` from a clone of the repository, or pass --notebooks DIR")
    folder = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    if not folder.is_dir():
        raise UsageError(f"notebooks folder not found: {folder}")
    found = {path.name: match for path in sorted(folder.glob("*.ipynb"))
             if (match := _TOPIC_FILE.match(path.name))}
    if folder.resolve() == default_notebooks_dir().resolve():
        _check_registered(folder, found)
        return [Topic(s.number, s.name, folder / s.notebook, _read_parameters(folder / s.notebook), s)
                for s in registry.TOPICS]
    declared = {s.name: s for s in registry.TOPICS}
    return [Topic(m["number"], m["name"], folder / file, _read_parameters(folder / file),
                  declared.get(m["name"])) for file, m in found.items()]


def _check_registered(folder: Path, found: Mapping[str, Any]) -> None:
    """The project's notebooks folder holds exactly the notebooks declared in :mod:`crmbook.topics`."""
    declared = {s.notebook for s in registry.TOPICS}
    problems = [f"topic {s.stem} is declared in crmbook.topics but its notebook {folder / s.notebook} is "
                "missing" for s in registry.TOPICS if s.notebook not in found]
    problems += [f"notebook {folder / name} is not declared in crmbook.topics: declare the topic once in "
                 "lib/crmbook/topics.py (number, name, notebook, package, titles, tables)"
                 for name in found if name not in declared]
    if problems:
        raise UsageError("\n".join(problems))


def select_topics(wanted: Sequence[str], topics: Sequence[Topic]) -> list[Topic]:
    """The topics named by the user, as ``"segmentation"``, ``"01"`` or ``"01_segmentation"``.

    An empty ``wanted`` selects all topics. The result keeps the numbered order and no duplicates.

    Raises
    ------
    UsageError
        A name matches no topic (the message lists the topics there are).
    """
    if not topics:
        raise UsageError("no topic notebooks found (expected files named NN_topic.ipynb)")
    if not wanted:
        return list(topics)
    chosen: set[str] = set()
    for name in wanted:
        key = name.strip().removesuffix(".ipynb")
        hits = [t for t in topics if key in (t.name, t.number, t.stem) or (key.isdigit() and int(key) == int(t.number))]
        if not hits:
            known = ", ".join(t.stem for t in topics)
            raise UsageError(f"unknown topic {name!r}; the topics are: {known}")
        chosen.update(t.stem for t in hits)
    return [t for t in topics if t.stem in chosen]


def _convert(value: Any, param: Parameter) -> Any:
    """``value`` as the declared type of ``param`` (strings from the command line are parsed)."""
    kind = param.type
    if kind == "str":
        if isinstance(value, str):
            return value
        if isinstance(value, _dt.date):  # YAML reads 2025-12-31 as a date
            return value.isoformat()
        raise TypeError
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "yes", "1", "on"}:
            return True
        if isinstance(value, str) and value.strip().lower() in {"false", "no", "0", "off"}:
            return False
        raise TypeError
    if kind == "int":
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return int(value)
        raise TypeError
    if kind == "float":
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise TypeError from None
            if math.isfinite(number):
                return number
        raise TypeError
    if isinstance(value, str):  # another declared type (list, dict ...): a Python literal
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    return value


def check_parameters(values: Mapping[str, Any], topics: Sequence[Topic],
                     all_topics: Sequence[Topic] | None = None) -> dict[str, dict[str, Any]]:
    """Check parameter names and types against the topics' ``parameters`` cells, before any kernel starts.

    Each value is converted to the type declared in the notebooks (``-p`` values arrive as strings)
    and handed to every chosen topic that declares the parameter.

    Parameters
    ----------
    values : mapping
        Parameter name -> value (strings from the command line, typed values from a config file).
    topics : sequence of Topic
        The chosen topics.
    all_topics : sequence of Topic, optional
        Every topic there is, to name the ones that would accept a parameter no chosen topic declares.

    Returns
    -------
    dict
        Topic stem -> the parameters to pass to that notebook.

    Raises
    ------
    UsageError
        A name no chosen topic declares, or a value that is not of the declared type; the message names
        the parameter and the topics that accept it.
    """
    errors = []
    per_topic: dict[str, dict[str, Any]] = {t.stem: {} for t in topics}
    for name, value in values.items():
        takers = [t for t in topics if name in t.parameters]
        if not takers:
            others = [t.stem for t in all_topics or () if name in t.parameters]
            hint = (f"; it is a parameter of {', '.join(others)}, which this run does not include" if others
                    else _similar(name, topics))
            errors.append(f"unknown parameter {name!r}: none of the chosen topics "
                          f"({', '.join(t.stem for t in topics)}) declares it" + hint)
            continue
        for topic in takers:
            param = topic.parameters[name]
            try:
                per_topic[topic.stem][name] = _convert(value, param)
            except (TypeError, ValueError):
                accepting = ", ".join(t.stem for t in takers)
                errors.append(f"parameter {name!r} expects {param.type} (declared in {accepting}), "
                              f"got {value!r}")
                break
    as_of = values.get("as_of")
    if isinstance(as_of, (str, _dt.date)):
        try:
            _dt.date.fromisoformat(str(as_of)[:10] if isinstance(as_of, _dt.date) else as_of)
        except ValueError:
            errors.append(f"parameter 'as_of' expects a date YYYY-MM-DD, got {as_of!r}")
    language = values.get("language")
    if language is not None and language not in LANGUAGES:  # checked here, not after a kernel started
        errors.append(f"parameter 'language' expects one of {', '.join(LANGUAGES)} "
                      f"({', '.join(f'{k}: {v}' for k, v in LANGUAGES.items())}), got {language!r}")
    if not errors:
        errors = [e for e in check_ranges(per_topic, topics) if not e.startswith("parameter 'language'")]
    if errors:
        raise UsageError("\n".join(errors))
    return per_topic


def _similar(name: str, topics: Sequence[Topic]) -> str:
    import difflib

    known = sorted({p for t in topics for p in t.parameters})
    close = difflib.get_close_matches(name, known, n=3)
    return f"; did you mean {', '.join(close)}?" if close else f"; known parameters: {', '.join(known)}"


def describe_topics(notebooks_dir: str | os.PathLike[str] | None = None) -> str:
    """The text of ``crmbook topics``: each topic with its title in every report language (when it is
    declared in :mod:`crmbook.topics`) and its parameters, types, defaults and comments."""
    topics = find_topics(notebooks_dir)
    if not topics:
        return "no topic notebooks found"
    lines = []
    for topic in topics:
        title = f"  {' / '.join(topic.spec.title[lang] for lang in registry.LANGUAGES)}" if topic.spec else ""
        lines.append(f"{topic.stem}{title}  (run with: crmbook run {topic.name})")
        if not topic.parameters:
            lines.append("    (no parameters cell)")
        width = max((len(f"{p.name}: {p.type} = {p.default_text}") for p in topic.parameters.values()), default=0)
        for p in topic.parameters.values():
            decl = f"{p.name}: {p.type} = {p.default_text}"
            rule = rule_of(topic, p.name)
            help_text = p.help
            if rule is not None and _marker_rule(p.help) is None:
                help_text = f"{help_text} {rule.marker()}".strip()
            lines.append(f"    {decl:<{width}}  # {help_text}".rstrip(" #") if help_text else f"    {decl}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def load_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parameters from a YAML (``.yml``/``.yaml``) or TOML (``.toml``) file: a flat mapping name -> value.

    A TOML file may also put them under a ``[parameters]`` table, a YAML file under ``parameters:``.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from crmbook.data.sources.files import decode_error_message

        raise UsageError(decode_error_message(data, f"config file {path}")) from None
    try:
        if path.suffix.lower() == ".toml":
            import tomllib

            content = tomllib.loads(text)
        elif path.suffix.lower() in {".yml", ".yaml"}:
            import yaml

            content = yaml.safe_load(text) or {}
        else:
            raise UsageError(f"config file {path}: use a .yaml, .yml or .toml file")
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"config file {path} is not valid: {exc}") from exc
    if isinstance(content, Mapping) and isinstance(content.get("parameters"), Mapping):
        content = content["parameters"]
    if not isinstance(content, Mapping):
        raise UsageError(f"config file {path}: expected a mapping of parameter names to values")
    for name, value in content.items():
        if isinstance(value, (Mapping, list)) and str(name).replace("-", "_") != "max_set_aside":
            raise UsageError(f"config file {path}: parameter {name!r} must be a single value, got {value!r}")
    return {str(k).replace("-", "_"): v for k, v in content.items()}
