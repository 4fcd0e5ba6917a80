"""Tests of crmbook.errors: the shared usage error and the exit codes the command line documents."""

from __future__ import annotations

import pytest

from crmbook import cli, errors, redact, report


def test_usage_error_is_a_value_error_shared_by_runner_and_redact() -> None:
    assert issubclass(errors.UsageError, ValueError)  # callers catching ValueError still catch it
    assert report.UsageError is errors.UsageError
    with pytest.raises(report.UsageError):
        redact.split_password("postgresql://ana:p@ss@db/crm")


def test_exit_codes_are_the_documented_ones() -> None:
    assert (errors.EXIT_OK, errors.EXIT_FAILED, errors.EXIT_USAGE) == (0, 1, 2)
    assert (report.EXIT_OK, report.EXIT_FAILED, report.EXIT_USAGE) == (0, 1, 2)
    assert "Exit codes: 0 success; 1 the data or a notebook failed" in cli.__doc__ and "2 wrong usage" in cli.__doc__
