"""The exercise mechanism: right, wrong and unanswered answers; never raises."""

from __future__ import annotations

import pytest

from crmbook.exercises import ChoiceExercise, Exercise, ExerciseSet, Feedback, NumberExercise, SetExercise


def test_unanswered_is_not_attempted():
    q = NumberExercise("Q1", "How many?", 3)
    for answer in (..., None):
        fb = q.check(answer)
        assert fb.status == "unattempted"
        assert "Not attempted yet" in str(fb)
    assert q.check().status == "unattempted"


def test_number_exercise_right_within_tolerance_and_wrong_with_hint():
    q = NumberExercise("Q1", "Mean order value?", 102.5, rel_tol=0.01, hint="revenue / orders")
    assert q.check(102.5).correct
    assert q.check(103.0).correct  # 0.5% off, inside 1%
    wrong = q.check(110)
    assert wrong.status == "wrong"
    assert "too high" in wrong.message and "revenue / orders" in wrong.message
    assert "too low" in q.check(50).message


def test_number_exercise_accepts_percent_when_allowed():
    q = NumberExercise("Q", "Share?", 0.42, percent_ok=True)
    assert q.check(42).correct
    assert q.check(0.42).correct
    assert not NumberExercise("Q", "Share?", 0.42).check(42).correct


@pytest.mark.parametrize("answer", ["abc", True, [1, 2], {"a": 1}, object()])
def test_odd_answers_never_raise(answer):
    fb = NumberExercise("Q", "?", 1.0).check(answer)
    assert fb.status == "wrong"


def test_expected_is_computed_lazily_and_errors_become_feedback():
    calls = []

    def expected():
        calls.append(1)
        return 7

    q = NumberExercise("Q", "?", expected)
    assert calls == []
    assert q.check(7).correct and q.check(7).correct
    assert calls == [1]  # computed once

    broken = NumberExercise("Q", "?", lambda: 1 / 0)
    fb = broken.check(3)
    assert fb.status == "unavailable" and "cannot be checked on this data" in fb.message
    assert "ZeroDivisionError" in fb.message and "Not available" in str(fb)
    assert broken.solution().status == "unavailable"  # never raises either
    assert broken.check(...).status == "unattempted"


def test_an_answer_that_breaks_the_judge_is_wrong_not_an_exception():
    q = Exercise("Q", "?", 5, judge=lambda answer, expected: 1 / 0)
    fb = q.check(5)
    assert fb.status == "wrong" and "could not be checked" in fb.message


def test_direction_uses_the_reading_closest_to_the_answer_and_rejects_nan():
    q = NumberExercise("Q", "Share?", 0.42, percent_ok=True)
    assert q.check(40).message.startswith("40 is too low")  # 40% < 42%
    assert q.check(0.5).message.startswith("0.5 is too high")
    assert "finite number" in q.check(float("nan")).message
    assert "finite number" in q.check(float("inf")).message


def test_choice_exercise_normalises_and_rejects_unknown_choices():
    q = ChoiceExercise("Q", "Class?", "A", choices=["A", "B", "C"])
    assert q.check(" a ").correct
    assert q.check("B").status == "wrong"
    assert "not one of the choices" in q.check("D").message
    seg = ChoiceExercise("Q", "Segment?", "at_risk", choices=["champions", "at_risk"])
    assert seg.check("At Risk").correct


def test_set_exercise_reports_missing_and_extra_items():
    q = SetExercise("Q", "Which customers?", ["C1", "C2", "C3"])
    assert q.check(["C3", "C1", "C2"]).correct
    fb = q.check(["C1", "C9"])
    assert fb.status == "wrong"
    assert "2 item(s) missing" in fb.message and "C9" in fb.message
    assert q.check("C1").status == "wrong"  # a string is not a list of items


def test_hint_solution_and_html():
    q = Exercise("Exercise 1", "What?", 5, hint="count rows", solution="len(df)")
    assert "count rows" in str(q.hint())
    assert "len(df)" in str(q.solution())
    assert "5" in str(Exercise("E", "?", 5).solution())
    html = Feedback("wrong", "<b>x</b>", "E<1>")._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "E&lt;1&gt;" in html


def test_exercise_set_access():
    q1, q2 = NumberExercise("Q1", "?", 1), NumberExercise("Q2", "?", 2)
    ex = ExerciseSet(q1=q1, q2=q2)
    assert ex.q1 is q1 and ex["q2"] is q2
    assert list(ex) == ["q1", "q2"] and len(ex) == 2
    with pytest.raises(AttributeError):
        ex.q3  # noqa: B018


def test_number_traps_name_the_mistake_and_never_hide_the_right_answer():
    q = NumberExercise("Q", "Orders per buying customer?", 2.5, rel_tol=0.01,
                       traps={"you divided by all customers": 5 / 3, "the same as the answer": 2.5})
    assert q.check(1.67).message.startswith("you divided by all customers")
    assert q.check(2.5).correct  # a trap equal to the right answer never fires
    assert "too high" in q.check(4).message.lower()
    lazy = NumberExercise("Q", "?", 10, traps=lambda: {"rows read": 12})
    assert lazy.check(12).status == "wrong" and lazy.check(12).message.startswith("rows read")


def test_set_exercise_names_a_known_mistake():
    q = SetExercise("E", "which?", ["a", "b"], traps={"you took only the first rule": {"a", "c"}})
    assert q.check(["b", "a"]).correct
    wrong = q.check(["c", "a"])
    assert wrong.status == "wrong" and "you took only the first rule" in wrong.message
    assert "missing" in q.check(["a"]).message  # another wrong answer: the general message
    same = SetExercise("E", "which?", ["a"], traps={"never shown": {"a"}})
    assert same.check(["a"]).correct  # a trap equal to the answer never fires
