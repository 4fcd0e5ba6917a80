"""Errors and exit codes shared by the data loader, the report runner and the command line.

A shared module: it imports nothing from crmbook, so any part of the library may raise these without
pulling in the runner.

Exit codes of ``crmbook run`` (and ``crmbook topics``)::

    EXIT_OK      0  every notebook ran
    EXIT_FAILED  1  a notebook failed, or the data were unusable
    EXIT_USAGE   2  a wrong command: unknown topic or parameter, value of the wrong type, unreadable
                    config, bad database URL, too short a password (raised as UsageError)
"""

from __future__ import annotations

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "UsageError"]

#: Exit codes of ``crmbook run``.
EXIT_OK = 0
EXIT_FAILED = 1  # a notebook failed, or the data were unusable
EXIT_USAGE = 2  # unknown topic/parameter, wrong type, unreadable config, bad database URL, too short a password


class UsageError(ValueError):
    """A wrong command: unknown topic, unknown parameter, value of the wrong type (exit code 2)."""
