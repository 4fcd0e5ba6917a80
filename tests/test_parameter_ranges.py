"""Parameter ranges and choices checked before any kernel starts (issue 16, point 7).

Before this check, ``rfm_bins 0``, ``abc_top_share 1.5`` and ``k_min 9 k_max 3`` failed inside a kernel
after ~15 s with exit 1, and ``rfm_bins 1000``, ``contacts_per_segment -5``, ``--timeout -1`` and an
``as_of`` of 2999 were accepted with exit 0.
"""

from __future__ import annotations

import contextlib
import io
import time
from pathlib import Path

import pytest

from crmbook import cli
from crmbook.errors import UsageError
from crmbook.report.parameters import (
    Allowed,
    Parameter,
    Topic,
    as_of_warning,
    check_parameters,
    describe_topics,
    rule_of,
)


def _topic(name: str = "demo", **params: tuple[str, object, str]) -> Topic:
    """A topic with parameters ``name=(type, default, comment)``, declared nowhere but here."""
    return Topic("09", name, Path(f"09_{name}.ipynb"),
                 {k: Parameter(k, t, d, h, repr(d)) for k, (t, d, h) in params.items()})


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("name", "kind", "value", "allowed", "shown"), [
    ("rfm_bins", "int", "0", "between 2 and 10", "0"), ("rfm_bins", "int", "1000", "between 2 and 10", "1000"),
    ("abc_top_share", "float", "1.5", "above 0 and at most 1", "1.5"),
    ("abc_top_share", "float", "0", "above 0 and at most 1", "0.0"),
    ("contacts_per_segment", "int", "-5", "between 0 and 100000", "-5"),
    ("target_split", "float", "1", "above 0 and below 1", "1.0"),
])
def test_a_value_outside_the_registry_range_is_refused(name: str, kind: str, value: str, allowed: str,
                                                       shown: str) -> None:
    topic = _topic(**{name: (kind, 1, "")})
    with pytest.raises(UsageError) as info:
        check_parameters({name: value}, [topic])
    assert str(info.value) == f"parameter {name!r} must be {allowed} (declared for 09_demo), got {shown}"


def test_bounds_are_allowed_and_an_inside_value_passes() -> None:
    """2 and 10 are inside [2..10]; 1 (the upper bound) is inside (0, 1]."""
    topic = _topic(rfm_bins=("int", 5, ""), abc_top_share=("float", 0.2, ""))
    assert check_parameters({"rfm_bins": "2", "abc_top_share": "1"}, [topic]) == \
        {"09_demo": {"rfm_bins": 2, "abc_top_share": 1.0}}
    assert check_parameters({"rfm_bins": "10"}, [topic])["09_demo"] == {"rfm_bins": 10}


def test_k_min_above_the_default_k_max_is_refused() -> None:
    """Only k_min is given (9); the notebook's default k_max is 8: 9 > 8 is refused, naming both values."""
    topic = _topic(k_min=("int", 2, ""), k_max=("int", 8, ""))
    with pytest.raises(UsageError, match=r"'k_min' and 'k_max' must satisfy k_min <= k_max .*k_min 9 and k_max 8"):
        check_parameters({"k_min": "9"}, [topic])
    assert check_parameters({"k_min": "8"}, [topic])["09_demo"] == {"k_min": 8}


def test_a_marker_in_the_notebook_comment_declares_a_range_and_wins_over_the_registry() -> None:
    """``[1..3]`` in the comment: 4 refused although the registry allows rfm_bins up to 10;
    ``[one of: low, high]``: a choice; ``[0..]``: no upper bound."""
    topic = _topic(rfm_bins=("int", 2, "scores [1..3]"), level=("str", "low", "how much [one of: low, high]"),
                   n=("int", 1, "count [0..]"))
    assert rule_of(topic, "rfm_bins") == Allowed(1, 3)
    errors = []
    for name, value in (("rfm_bins", "4"), ("level", "mid"), ("n", "-1")):
        with pytest.raises(UsageError) as info:
            check_parameters({name: value}, [topic])
        errors.append(str(info.value))
    assert errors == ["parameter 'rfm_bins' must be between 1 and 3 (declared for 09_demo), got 4",
                      "parameter 'level' must be one of low, high (declared for 09_demo), got 'mid'",
                      "parameter 'n' must be at least 0 (declared for 09_demo), got -1"]
    assert check_parameters({"n": "100000000"}, [topic])["09_demo"] == {"n": 100000000}


def test_crmbook_topics_shows_the_ranges() -> None:
    text = describe_topics()
    assert "rfm_bins: int = 5" in text and "[2..10]" in text and "[0<..1]" in text


def test_the_cli_refuses_before_any_kernel_starts() -> None:
    """Exit 2 with the message, in well under the ~2 s a kernel start alone takes."""
    t0 = time.monotonic()
    code, stdout, err = _cli(["run", "segmentation", "--data", "sample", "-p", "rfm_bins", "1000"])
    assert code == 2 and stdout == ""
    assert err == ("crmbook run: parameter 'rfm_bins' must be between 2 and 10 (declared for 01_segmentation), "
                   "got 1000\n")
    assert time.monotonic() - t0 < 2


def test_a_negative_timeout_is_refused() -> None:
    code, _, err = _cli(["run", "segmentation", "--data", "sample", "--timeout", "-1"])
    assert code == 2 and "--timeout must be at least 1 second" in err


def test_as_of_far_after_the_last_order_is_warned_about(capsys: pytest.CaptureFixture) -> None:
    """The sample's last order is 2025-12-31: 2026-12-31 is 365 days later (at the margin: no warning),
    2027-01-01 is 366 days later (warned); validate still exits 0 (a warning, not an error)."""
    assert as_of_warning("2026-12-31", "2025-12-31") is None
    assert "366 days after the data's last order (2025-12-31)" in as_of_warning("2027-01-01", "2025-12-31")
    assert cli.main(["validate", "--data", "sample", "--as-of", "2999-12-31"]) == 0
    assert "as_of 2999-12-31 is 355,746 days after the data's last order" in capsys.readouterr().err
    assert cli.main(["validate", "--data", "sample"]) == 0
    assert "days after" not in capsys.readouterr().err


def test_every_declared_topic_has_a_rule_for_each_numeric_or_choice_parameter_and_its_defaults_pass() -> None:
    """The project's notebooks: each int/float parameter (and the choice-like texts the registry knows) has
    allowed values, and the notebook's own defaults are inside them, so a default run is never refused."""
    from crmbook.report.parameters import default_notebooks_dir, find_topics

    missing: list[str] = []
    refused: list[str] = []
    for topic in find_topics(default_notebooks_dir()):
        for name, param in topic.parameters.items():
            rule = rule_of(topic, name)
            if param.type in ("int", "float") and rule is None:
                missing.append(f"{topic.stem}:{name}")
            if rule is not None and not rule.allows(param.default):
                refused.append(f"{topic.stem}:{name}={param.default!r} not {rule.text()}")
    assert not missing, f"numeric parameters without a declared range: {missing}"
    assert not refused


@pytest.mark.parametrize(("name", "value", "allowed"), [
    ("confidence", "1", "above 0 and below 1"), ("target_csat", "80", "between 0 and 1"),
    ("time_unit", "Y", "one of"), ("follow_up_within", "3", "between 7 and 3660"),
])
def test_topic_parameters_out_of_range_are_refused_before_a_run(name: str, value: str, allowed: str) -> None:
    from crmbook.report.parameters import default_notebooks_dir, find_topics

    topics = [t for t in find_topics(default_notebooks_dir()) if name in t.parameters]
    assert topics, f"no notebook declares {name}"
    with pytest.raises(UsageError, match=f"parameter {name!r} must be {allowed}"):
        check_parameters({name: value}, topics)
