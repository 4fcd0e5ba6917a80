"""crmbook.data: the fast paths (Arrow text, CSV split in Arrow, vectorised masks) give exactly what the
general code gives."""

from __future__ import annotations

import csv
import io
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from crmbook import data
from crmbook.data import arrow, masking, parse
from crmbook.data.sources import files

# One messy folder: every kind of column with values that take the fast paths and values that don't.
_MESSY = {
    "customers.csv": (
        "customer_id,signup_date,gender,birth_date,referred_by,account_type,name,phone,email,Note\n"
        "C1,2024-01-05,F,1980-02-03,,retail,张三丰,13812345678,john@example.com,x\n"
        "C2,2024/1/6,m,,C1,Retail,John Smith,+86 138-1234-5678,@x.com,\n"
        "C3, 2024-01-07 ,X,03/04/1990,C9,vip,J,12,noatsign,y\n"
        "C4,2024年1月8日,unknown,2024-02-30,C3,agent,李\u3000四,１３８１２３４５６７８,x@@y,\n"
        "\n"
        "C5,2026-01-15,other,Mar 5 1985,,key_account,Ünal Öz,123456789,a@b,z\n"
        "C6,2024-01-09T10:30:00+08:00,F,2024,,retail,,,,\n"
        "C1,2024-01-10,F,,,retail,王五,18021599453,q@x.y,\n"
        "C7,not a date,F,,,retail,A\u00a0B,138 1234 5678,ab@,\n"
        "C8,2024-01-11\n"
    ),
    "orders.csv": (
        "order_id;customer_id;order_date;revenue;cost_of_goods;channel\n"
        "O1;C1;2024-02-01;357.26;149.31;app\n"
        "O2;C2;2024-02-02;1,234.50;¥12;store\n"
        "O3;C3;2024-02-03;-3;0;app\n"
        "O4;C5;2024-02-04;1e400;5.;app\n"
        "O5;C9;2024-02-05;twelve;;app\n"
        "O6;C1;2024-02-06;123456789012345;0.1;app\n"
        "O6;C2;2024-02-07;9223372036854775808;$ 5;app\n"
        "O7;C4;2024-02-08; 12 ;007;app\n"
        "O8;C7;2025-12-31;12.5;1e3;app\n"
    ),
    "surveys.csv": (
        "customer_id,response_date,nps,csat,rating_speed,comment\n"
        'C1,2024-03-01,9,5,4,"good, fast"\n'
        "C2,2024-03-02,11,0,3.5,\n"
        "C3,2024-03-03,7,4,,ok\n"
        'C4,2024-03-04,x,3,5,"two\nlines"\n'
    ),
    "contacts.csv": (
        "customer_id\tcontact_date\ttype\tcost\tresolved\n"
        "C1\t2024-04-01\tService_Call\t21.83\tTrue\n"
        "C2\t2024-04-02\tfax\t1\tmaybe\n"
        "C3\t2024-04-03\tcomplaint\t\t是\n"
        "C4\t2024-04-04\tsms\t2.5\tNo\n"
    ),
    "costs.csv": "period,pool,amount,kind\n2024-03,admin,1731.6,indirect\n2024/13,sales,5,misc\n2027,admin,1,direct\n",
    "market.csv": "region,potential_customers\nEast,30000\nWest,5.5\nNorth,\n",
}


def _messy_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "messy"
    folder.mkdir()
    for name, text in _MESSY.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _assert_same(a: data.Dataset, b: data.Dataset) -> None:
    assert list(a.tables) == list(b.tables)
    for table in a.tables:
        pd.testing.assert_frame_equal(a[table], b[table], check_exact=True)
        assert a[table].dtypes.astype(str).tolist() == b[table].dtypes.astype(str).tolist()
        for col in a[table].columns:  # NaN and NA, -0.0 and 0.0 are told apart
            assert list(map(repr, a[table][col])) == list(map(repr, b[table][col])), (table, col)
    pd.testing.assert_frame_equal(a.rejected, b.rejected, check_exact=True)
    assert a.problems == b.problems
    assert a.summary() == b.summary()
    assert a.problem_report() == b.problem_report()


@pytest.mark.parametrize("mask_personal", [True, False])
@pytest.mark.parametrize("source", ["sample", "messy"])
def test_fast_paths_give_what_the_general_code_gives(source: str, mask_personal: bool, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    where = "sample" if source == "sample" else _messy_folder(tmp_path)
    fast = data.check(where, as_of="2025-12-31", mask_personal=mask_personal)
    # Without Arrow text and without the Arrow CSV split, every step runs its general pandas code.
    monkeypatch.setattr(arrow, "_arrow_text", lambda s: None)
    monkeypatch.setattr(files, "_split_plain_csv", lambda text, delimiter: None)
    monkeypatch.setattr(files, "_read_csv_arrow", lambda data: None)
    general = data.check(where, as_of="2025-12-31", mask_personal=mask_personal)
    _assert_same(fast, general)
    if source == "messy":  # the folder does reach the slow cases
        assert {"unparseable date", "not a number", "unknown value", "duplicate key", "unknown customer",
                "customer set aside", "after as_of", "missing value"} <= set(fast.rejected["reason"])
        assert any("is not true/false" in p.message for p in fast.problems)


def _csv_columns(text: str, delimiter: str) -> tuple[list[str], list[list[str]]]:
    """Header and columns as the csv module reads them, short rows padded with empty fields."""
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header, body = rows[0], rows[1:]
    width = max(len(header), max(map(len, body)))
    return header, [[r[i] if i < len(r) else "" for r in body] for i in range(width)]


@pytest.mark.parametrize("text", [
    "a,b\n1,2\n", "a,b\n1,2", "a,b\n1,2\n\n", "a,b\n\n1,2\n", "a\n1,2,3\n4\n", ",\n,\n", "a,b,\n1,2,\n",
    "\n1,2\n", "\n\n\n", "a,b\n \t, x \n", "a,b\n1\u2028,2\x0b\n\x1c,\x85\n", "客户,日期\n张三,2025年3月5日\n",
    "a;b\n1;2\n", "a\tb\n1\t2\n", "a|b\n1|2|\n",
])
def test_csv_split_in_arrow_reads_like_the_csv_module(text: str) -> None:
    delimiter = files._sniff_delimiter(text)
    header, columns, n_rows = files._split_plain_csv(text, delimiter)
    want_header, want_columns = _csv_columns(text, delimiter)
    assert header == want_header
    assert [c.to_pylist() for c in columns] == want_columns
    assert n_rows == len(list(csv.reader(io.StringIO(text)))) - 1


@pytest.mark.parametrize("text", ['a,b\n"1,5",2\n', "a,b\r\n1,2\r\n", "a,b\n1\x00,2\n", "a,b\n", "", "a,b"])
def test_csv_with_quotes_or_carriage_returns_is_left_to_the_csv_module(text: str) -> None:
    assert files._split_plain_csv(text, ",") is None


def _csv_module_rows(text: str) -> tuple[list[str], list[list[str]]] | None:
    """Header and columns as the csv path reads the text (None: it reports an error)."""
    rows, error = files._csv_rows(text, files._sniff_delimiter(text))
    if error is not None:
        return None
    header, body = rows[0], rows[1:]
    width = max(len(header), max(map(len, body), default=0))
    return header, [[r[i] if i < len(r) else "" for r in body] for i in range(width)]


def _arrow_rows(data: bytes) -> tuple[list[str], list[list[str]], int, str] | None:
    read = files._read_csv_arrow(data)
    if read is None:
        return None
    header, columns, n_rows, label = read
    assert all(len(c) == n_rows and c.type == pa.large_string() for c in columns)
    return header, [c.to_pylist() for c in columns], n_rows, label


@pytest.mark.parametrize("text", [
    "a,b\n1,2\n", "a,b\n1,2", "a,b\n1,2\n\n", "a,b\n\n1,2\n", ",\n,\n", "a,b,\n1,2,\n", "a,b\n \t, x \n",
    "a,b\n1\u2028,2\x0b\n\x1c,\x85\n", "客户,日期\n张三,2025年3月5日\n", "a;b\n1;2\n", "a\tb\n1\t2\n", "a|b\n1|2\n",
    "a,b\r\n1,2\r\n", "\ufeffa,b\n1,2\n", 'a,b\n"1,5",2\n', 'a,b\n"two\nlines",2\n', 'a,b\n"a""b",2\n',
    'a,b\n"ab"c,2\n', 'a,b\nx"y,2\n', 'a,b\n"",2\n', 'a,b\n"a" ,1\n', 'a,b\n"x\r\ny",2\r\n',
    'a,b\n"a\n\nb",1', 'a\n""\n',
])
def test_csv_read_by_arrow_reads_like_the_csv_module(text: str) -> None:
    got = _arrow_rows(text.encode("utf-8"))
    assert got is not None, "this text is read by Arrow"
    header, columns, n_rows, label = got
    assert (header, columns) == _csv_module_rows(text.removeprefix("\ufeff"))
    assert label == ("UTF-8 with BOM" if text.startswith("\ufeff") else "UTF-8")


@pytest.mark.parametrize("data", [
    b'a,b\n"never closed,2\n3,4\n', b'a\n"never closed\n2\n', b'a,b\n1,2\n"', b'a,b\n"x"",1\n',  # open quotes
    b"a,b\n1\n", b"a,b\n1,2,3\n", b'a,b\n "a,b",2\n',  # rows narrower or wider than the header
    b"a,b\r1,2\r", b"a,b\n1\r2,3\n", b"a,b\n1\x00,2\n", b"a,b\n\xe9t\xe9,2\n", b"\xff\xfea\x00",  # CR, NUL, not UTF-8
    b"", b"a,b\n", b"a,b", b"\n1,2\n", b" \n1\n", ("a" + ",a" * files.MAX_COLUMNS + "\n1\n").encode(),
])
def test_csv_that_arrow_would_read_otherwise_is_left_to_the_text_path(data: bytes) -> None:
    assert files._read_csv_arrow(data) is None


def test_random_csv_read_by_arrow_or_left_to_the_csv_module() -> None:
    """Arrow never reads a text differently from the csv module: random texts of quotes, delimiters,
    line ends and spaces are either read the same or left to the text path."""
    rng = random.Random(3)
    alphabet = ["a", "a", "é", ",", ",", '"', '"', "\n", "\n", "\r\n", " ", "\t"]
    read = 0
    for _ in range(6000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(2, 20)))
        got = _arrow_rows(text.encode("utf-8"))
        if got is None:
            continue
        read += 1
        assert got[:2] == _csv_module_rows(text), repr(text)
    assert read > 300  # the comparison did happen (422 texts with this seed)


def test_space_class_is_pythons_whitespace() -> None:
    chars = [chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF]
    found = pc.match_substring_regex(pa.array(chars), f"[{masking._SPACE_CLASS}]").to_numpy(zero_copy_only=False)
    assert [c for c, hit in zip(chars, found, strict=True) if hit] == [c for c in chars if c.isspace()]


def test_vectorised_masks_give_what_the_maskers_give() -> None:
    rng = random.Random(7)
    alphabet = list("0123456789" * 4 + "@@ab.-+()张三😀") + ["\u3000", "\u00a0", " ", "\n", "１", "٣", "\x1c"]
    values = ["".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 2, 3, 8, 9, 11, 15])))
              for _ in range(3000)]
    values += ["13812345678", "123456789", "12345678", "张三丰", "John Smith", "@x.com", "a@b@c", ""]
    text = pd.Series(values, dtype=str)
    for column in ("name", "phone", "email", "nickname"):
        masker = masking._MASKERS.get(column, masking._mask_name)
        got = masking._mask_texts(text, column)
        assert got.dtype == text.dtype
        assert got.tolist() == [masker(v) if v else v for v in values], column


@pytest.mark.parametrize("values", [
    ["357.26", "0.0", "4", None, "007", "123456789012345", "0.1", "99999999999.999"],
    ["1", "2", "30"],
    ["12.5", "-0", "3"],
    ["1", "-0", "30"],  # -0 is 0.0 in a column of whole numbers: pandas reads it
    ["1", "-0.00", None, "2.5"], ["-00", "7"],  # negative zeros: pandas reads them
    ["-1070.94", "12.5", None, "-710.86", "-0.5"], ["-1000", "593", "-2000"],  # signed: read in Arrow
    ["-12345678901234", "1"], ["-123456789012345", "0.1"],  # 14 digits and a sign; 15 and a sign: pandas
    ["9223372036854775808", "1.5"],  # too many digits: pandas reads it
    ["0.30000000000000004441", "1"],
    ["1,234.50", "¥12", "5", "-3", "1e400", "inf", "twelve", " 12 ", "9223372036854775808", "0x10", "1.5"],
])
def test_numbers_read_in_arrow_equal_pandas_to_numeric(values: list[str | None]) -> None:
    s = pd.Series(values, dtype="string")
    cleaned = s.str.replace(parse._NUMBER_NOISE, "", regex=True)
    want = pd.to_numeric(cleaned.astype(object), errors="coerce").astype("float64")
    want = want.where(np.isfinite(want))
    got = parse._parse_numbers(s)
    assert got.dtype == want.dtype and list(map(repr, got)) == list(map(repr, want))


@pytest.mark.parametrize("keep", ["all", "some", "none", "first"])
def test_rows_kept_column_by_column_equal_loc(keep: str) -> None:
    from crmbook.data.validate import _keep

    n = 50
    frame = pd.DataFrame({
        "arrow_text": pd.array([None if i % 7 == 0 else f"C{i}" for i in range(n)], dtype="string[pyarrow]"),
        "python_text": pd.array([None if i % 5 == 0 else f"x{i}" for i in range(n)], dtype="string[python]"),
        "number": np.arange(n) / 4, "date": pd.date_range("2024-01-01", periods=n),
        "count": pd.array([None if i % 3 == 0 else i for i in range(n)], dtype="Int64"),
        "flag": pd.array([None if i % 4 == 0 else i % 2 == 0 for i in range(n)], dtype="boolean"),
        "kind": pd.Categorical([["a", "b"][i % 2] for i in range(n)]),
    })
    mask = {"all": np.ones(n, bool), "none": np.zeros(n, bool), "first": np.arange(n) == 0,
            "some": np.arange(n) % 3 != 1}[keep]
    got, want = _keep(frame, mask), frame.loc[mask].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    assert len(got) == mask.sum() and list(got.dtypes) == list(frame.dtypes)
    sliced = frame.iloc[10:30]  # a frame whose index does not start at 0, whose Arrow text is a slice
    pd.testing.assert_frame_equal(_keep(sliced, mask[:20]), sliced.loc[mask[:20]].reset_index(drop=True))


def test_isin_and_lookup_give_what_pandas_gives() -> None:
    s = pd.Series(["a", None, "B", "c", "", "a"], dtype="string")
    for values in (["a", "c"], {"B"}, [], pa.array(["c", "x"])):
        plain = values.to_pylist() if isinstance(values, pa.Array) else values
        assert arrow._isin(s, values).tolist() == s.isin(plain).tolist()
    mapping = {"a": "A", "c": "C"}
    got, want = arrow._lookup(s, mapping), s.map(mapping, na_action="ignore")
    assert got.isna().tolist() == want.isna().tolist()
    assert got.dropna().tolist() == want.dropna().tolist()


def test_isin_looks_up_in_the_smaller_side_with_the_same_result() -> None:
    s = pd.Series(["a", None, "b", "a", "zz"], dtype="string")
    many = pa.array(["x", "a", "y", "zz", "w", "v", "u", "t"])  # longer than s: looked up the other way round
    assert arrow._isin(s, many).tolist() == s.isin(many.to_pylist()).tolist() == [True, False, False, True, True]


@pytest.mark.parametrize("columns", [1, 2])
def test_duplicated_keys_in_arrow_equal_pandas(columns: int) -> None:
    rng = random.Random(5)
    keys = pd.DataFrame({f"k{i}": pd.array([rng.choice(["a", "b", "c", "é", "", "ab"]) for _ in range(300)],
                                            dtype="str") for i in range(columns)})
    repeats, firsts = arrow._duplicated(keys)
    want = keys.duplicated(keep="first").to_numpy()
    assert repeats.tolist() == want.tolist()
    assert firsts.tolist() == (keys.duplicated(keep=False).to_numpy() & ~want).tolist()
    assert want.any() and firsts.any()
    # by hand: rows 1 and 3 repeat row 0, which is the first of its key; row 2 is unique
    small = pd.DataFrame({"k": pd.array(["x", "x", "y", "x"], dtype="str")})
    assert [m.tolist() for m in arrow._duplicated(small)] == [[False, True, False, True], [True, False, False, False]]


@pytest.mark.parametrize("values", [
    ["2024-01-05", "2024-01-05", None, "2024/1/6", "2024-02-30", "2024年1月8日", "not a date", "2024-01-05 10:30"],
    ["03/04/2025", "03/04/2025", "13/04/2025", None, "2025-03-05"],  # day first, settled by 13
    ["03/04/2025", "03/04/2025", "04/03/2025", "2025-03-05"],  # no day above 12: left undecided
    ["13/04/2025", "04/13/2025", "13/04/2025", "04/13/2025"],  # both orders: mixed
    [None, None, "2024-01-05"], [None, None],
])
def test_dates_read_through_their_distinct_values_equal_the_cell_by_cell_reading(
        values: list[str | None], monkeypatch: pytest.MonkeyPatch) -> None:
    s = pd.Series(values * 3, dtype="string")  # every value three times: read through the distinct values
    got = parse._parse_dates(s, None, None)
    monkeypatch.setattr(parse, "_DISTINCT_SHARE", 0.0)  # every cell read by itself
    want = parse._parse_dates(s, None, None)
    assert got[0].dtype == want[0].dtype and list(map(repr, got[0])) == list(map(repr, want[0]))
    assert got[1].tolist() == want[1].tolist() and got[2] == want[2]


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_trim_gives_what_arrow_trim_gives(kind: pa.DataType) -> None:
    rng = random.Random(11)
    alphabet = ["a", "7", "-", " ", "\t", "\x1c", "\x7f", "\u3000", "\u00a0", "\u2028", "张", "é", "\n"]
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4))) for _ in range(2000)] + [None]
    arr = pa.array(values, type=kind)
    for part in (arr, arr.slice(7, 900), pa.array(["a", "7b", None, "", "x-1"], type=kind)):
        assert arrow._trim(part).to_pylist() == pc.utf8_trim_whitespace(part).to_pylist()
    clean = pa.array(["C1", "2024-01-05", None, "", "12.5"], type=kind)
    assert arrow._trim(clean) is clean  # nothing to trim: not copied


@pytest.mark.parametrize(("env", "expected"), [(None, "jemalloc"), ("system", "system")])
def test_arrow_pool_is_jemalloc_unless_the_user_chooses(env: str | None, expected: str) -> None:
    # a fresh interpreter: the pool is chosen when crmbook.data is imported; Arrow's own variable wins
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow is built without jemalloc")
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if env is not None:
        environ["ARROW_DEFAULT_MEMORY_POOL"] = env
    code = "import pyarrow as pa, crmbook.data; print(pa.default_memory_pool().backend_name)"
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected
