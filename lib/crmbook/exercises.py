"""Self-checking exercises for trainees.

The pattern is the one Kaggle's learntools uses: each exercise is an object with :meth:`Exercise.check`,
:meth:`Exercise.hint` and :meth:`Exercise.solution`. A trainee writes an answer in an exercise cell and
calls ``q1.check(answer)``:

- no answer yet (the placeholder ``...`` or ``None``) -> "not attempted yet";
- a wrong answer -> what is wrong, and the hint;
- a right answer -> a confirmation;
- an exercise whose expected answer cannot be computed from the data at hand (e.g. a table is empty) ->
  "not available", which is not the trainee's fault and says so.

Nothing here ever raises, whatever the trainee passes, so a notebook still runs end to end under
Papermill. :meth:`Exercise.check` returns a :class:`Feedback` whose ``status`` is ``"unattempted"``,
``"wrong"``, ``"correct"`` or ``"unavailable"`` so tests (and the runner) can read the outcome.

Feedback speaks the report language: every exercise takes ``language`` (``"en"`` or ``"zh"``); the
generic messages come from the shared text catalogue (``crmbook/text/*.yaml``, keys ``exercise.*``) and a
topic writes its questions, hints and specific messages in its own catalogue. A choice may be answered
by an alias, e.g. its Chinese name (``ChoiceExercise(..., aliases={"重点选择": "focus"})``).
:meth:`Exercise.hint` and :meth:`Exercise.solution` are labelled "Hint" and "Solution" (statuses
``"hint"`` and ``"solution"``), never "not attempted yet".

Topic modules build their exercises from the data at hand (the expected answer is computed, never typed
in), e.g. ``crmbook.data_check.exercises(dataset, ctx)`` returns the exercises of notebook 00.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crmbook.language import catalogue

__all__ = [
    "Feedback",
    "Exercise",
    "NumberExercise",
    "ChoiceExercise",
    "SetExercise",
    "ExerciseSet",
    "UNANSWERED",
]

#: What an exercise cell holds before the trainee answers.
UNANSWERED = (Ellipsis, None)

#: Colour of each feedback status; its label is the text ``exercise.status.<status>``.
_COLOURS = {"unattempted": "#6c757d", "wrong": "#b02a37", "correct": "#146c43", "unavailable": "#6c757d",
            "hint": "#0b5ed7", "solution": "#0b5ed7"}


def _say(key: str, language: str, **values: Any) -> str:
    return catalogue("crmbook").say(f"exercise.{key}", language, escape=False, **values)


@dataclass(frozen=True)
class Feedback:
    """The outcome of one check: ``status`` is ``"unattempted"``, ``"wrong"``, ``"correct"`` or
    ``"unavailable"`` (and ``"hint"`` / ``"solution"`` for what :meth:`Exercise.hint` and
    :meth:`Exercise.solution` show)."""

    status: str
    message: str
    exercise: str = ""
    language: str = "en"

    @property
    def label(self) -> str:
        """The status as the reader sees it ("Not quite", "回答有误" ...)."""
        return _say(f"status.{self.status}", self.language)

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        head = f"{self.exercise}: " if self.exercise else ""
        return f"{head}{self.label}{self._stop} {self.message}".strip()

    @property
    def _stop(self) -> str:
        return "：" if self.language == "zh" else "."

    def _repr_html_(self) -> str:
        colour, label = _COLOURS[self.status], html.escape(self.label)
        head = f"<b>{html.escape(self.exercise)}</b> &middot; " if self.exercise else ""
        return (
            f'<div class="crmbook-feedback crmbook-{self.status}" style="border-left:4px solid {colour};'
            f'padding:4px 10px;margin:4px 0">{head}<b style="color:{colour}">{label}{self._stop}</b> '
            f"{html.escape(self.message)}</div>"
        )

    def __repr__(self) -> str:  # what a plain-text front end shows
        return str(self)


class Exercise:
    """One exercise: a question, a way to judge an answer, a hint and a solution.

    Parameters
    ----------
    name : str
        Short label shown with the feedback, e.g. ``"Exercise 1"``.
    question : str
        The question, as the notebook asks it.
    expected : Any or callable
        The right answer, or a zero-argument callable computing it (evaluated lazily, so building an
        exercise set is cheap and a failing computation turns into feedback, not an exception).
    hint : str
        Shown after a wrong answer and by :meth:`hint`.
    solution : str
        Shown by :meth:`solution`: the code or reasoning that gives the answer.
    judge : callable, optional
        ``judge(answer, expected) -> str | None``: ``None`` when right, otherwise what is wrong. The
        subclasses provide judges for numbers, choices and sets; the default is equality. A judge can
        name a specific mistake ("you divided by all customers, not buying ones").
    language : str
        Language of the generic feedback (``"en"`` or ``"zh"``).
    """

    def __init__(self, name: str, question: str, expected: Any, *, hint: str = "", solution: str = "",
                 judge: Callable[[Any, Any], str | None] | None = None, language: str = "en") -> None:
        self.language = language
        self.name = name
        self.question = question
        self._expected = expected
        self._hint = hint
        self._solution = solution
        self._judge = judge

    @property
    def expected(self) -> Any:
        """The right answer (computed on first use when given as a callable)."""
        if callable(self._expected):
            self._expected = self._expected()
        return self._expected

    def judge(self, answer: Any, expected: Any) -> str | None:
        """``None`` when ``answer`` is right, otherwise a sentence saying what is wrong."""
        if self._judge is not None:
            return self._judge(answer, expected)
        return None if answer == expected else _say("you_answered", self.language, answer=repr(answer))

    def _expected_or_feedback(self) -> tuple[Any, Feedback | None]:
        """The expected answer, or the feedback to give when it cannot be computed from this data."""
        try:
            return self.expected, None
        except Exception as exc:  # the data at hand does not allow this exercise; not the trainee's fault
            return None, Feedback("unavailable", _say("unavailable", self.language,
                                                      error=f"{type(exc).__name__}: {exc}"),
                                  self.name, self.language)

    def check(self, answer: Any = Ellipsis) -> Feedback:
        """Judge ``answer`` and return feedback; never raises."""
        if any(answer is u for u in UNANSWERED):
            return Feedback("unattempted", _say("replace", self.language), self.name, self.language)
        expected, unavailable = self._expected_or_feedback()
        if unavailable is not None:
            return unavailable
        try:
            problem = self.judge(answer, expected)
        except Exception as exc:  # a trainee's odd answer must never break the notebook
            problem = _say("not_checked", self.language, error=f"{type(exc).__name__}: {exc}")
        if problem is None:
            return Feedback("correct", _say("well_done", self.language), self.name, self.language)
        hint = _say("hint_after", self.language, hint=self._hint) if self._hint else ""
        return Feedback("wrong", problem + hint, self.name, self.language)

    def hint(self) -> Feedback:
        """The hint, as feedback shown in the notebook (labelled "Hint")."""
        return Feedback("hint", self._hint or _say("no_hint", self.language), self.name, self.language)

    def solution(self) -> Feedback:
        """The solution, as feedback shown in the notebook (labelled "Solution"); never raises."""
        if self._solution:
            return Feedback("solution", self._solution, self.name, self.language)
        expected, unavailable = self._expected_or_feedback()
        return unavailable or Feedback("solution", repr(expected), self.name, self.language)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}: {self.question}>"


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError("a number was expected, not True/False")
    return float(value)


class NumberExercise(Exercise):
    """An exercise whose answer is a number, right within ``rel_tol`` (relative) or ``abs_tol``.

    Shares may be given either as a fraction (0.42) or as a percentage (42) when ``percent_ok`` is set.
    ``traps`` names known mistakes: a mapping (or a zero-argument callable returning one, evaluated when
    an answer is judged) from the sentence that names the mistake to the value the mistake gives, e.g.
    ``{"you divided by all customers, not buying ones": 4.64}``. A wrong answer within the tolerance of a
    trap gets that sentence instead of "too high"/"too low"; the right answer always wins, so a trap that
    equals the right answer on some data never fires there.
    """

    def __init__(self, name: str, question: str, expected: Any, *, rel_tol: float = 0.005,
                 abs_tol: float = 0.0, percent_ok: bool = False,
                 traps: Mapping[str, float] | Callable[[], Mapping[str, float]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name, question, expected, **kwargs)
        self.rel_tol = rel_tol
        self.abs_tol = abs_tol
        self.percent_ok = percent_ok
        self._traps = traps

    def judge(self, answer: Any, expected: Any) -> str | None:
        try:
            got = _as_float(answer)
        except (TypeError, ValueError):
            return _say("number_expected", self.language, answer=repr(answer))
        if not math.isfinite(got):
            return _say("finite_expected", self.language, answer=repr(answer))
        want = float(expected)
        candidates = [got, got / 100] if self.percent_ok else [got]
        if any(math.isclose(c, want, rel_tol=self.rel_tol, abs_tol=self.abs_tol) for c in candidates):
            return None
        traps = self._traps() if callable(self._traps) else (self._traps or {})
        for message, value in traps.items():
            if any(math.isclose(c, float(value), rel_tol=self.rel_tol, abs_tol=self.abs_tol) for c in candidates):
                return message
        nearest = min(candidates, key=lambda c: abs(c - want))  # 40 read as 40% when shares are asked for
        return _say("too_high" if nearest > want else "too_low", self.language, answer=f"{got:g}")


class ChoiceExercise(Exercise):
    """An exercise whose answer is one of ``choices`` (compared case-insensitively, ignoring spaces).

    ``aliases`` maps other accepted spellings to a choice, e.g. the Chinese names of the choices
    (``{"重点选择": "focus"}``).
    """

    def __init__(self, name: str, question: str, expected: Any, *, choices: Iterable[str],
                 aliases: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(name, question, expected, **kwargs)
        self.choices = tuple(choices)
        self.aliases = {self._norm(k): self._norm(v) for k, v in (aliases or {}).items()}

    @staticmethod
    def _norm(value: Any) -> str:
        return str(value).strip().lower().replace(" ", "_").replace("-", "_")

    def judge(self, answer: Any, expected: Any) -> str | None:
        norm = self._norm(answer)
        norm = self.aliases.get(norm, norm)
        if norm not in {self._norm(c) for c in self.choices}:
            return _say("not_a_choice", self.language, answer=repr(answer),
                        choices=", ".join(map(str, self.choices)))
        return None if norm == self._norm(expected) else _say("wrong_choice", self.language, answer=repr(answer))


class SetExercise(Exercise):
    """An exercise whose answer is a collection of items where order does not matter.

    ``traps`` names known mistakes, as for :class:`NumberExercise`: sentence -> the collection the mistake
    gives (``{"you applied only the growth half of the rule": {"C1", "C7"}}``); the right answer wins.
    """

    def __init__(self, name: str, question: str, expected: Any, *,
                 traps: Mapping[str, Iterable[Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(name, question, expected, **kwargs)
        self._traps = traps

    def judge(self, answer: Any, expected: Any) -> str | None:
        if isinstance(answer, str | bytes) or not isinstance(answer, Iterable):
            return _say("list_expected", self.language, answer=repr(answer))
        got, want = {str(a) for a in answer}, {str(e) for e in expected}
        missing, extra = sorted(want - got), sorted(got - want)
        if not missing and not extra:
            return None
        for message, wrong in (self._traps or {}).items():
            if got == {str(w) for w in wrong}:
                return message
        parts = []
        if missing:
            parts.append(_say("items_missing", self.language, n=len(missing)))
        if extra:
            parts.append(_say("items_extra", self.language, n=len(extra), items=", ".join(extra[:5])))
        return _say("items_joined", self.language, parts="; ".join(parts))


class ExerciseSet(Mapping[str, Exercise]):
    """The exercises of one notebook, reachable as attributes (``ex.q1``) or by name (``ex["q1"]``)."""

    def __init__(self, **exercises: Exercise) -> None:
        self._items = dict(exercises)

    def __getattr__(self, key: str) -> Exercise:
        try:
            return self.__dict__["_items"][key]
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key: str) -> Exercise:
        return self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"ExerciseSet({', '.join(self._items)})"
