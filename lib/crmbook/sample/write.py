"""Writing the case company: one file per table in CSV, Parquet or Excel, plus ``truth.json`` and
``truth_customers.parquet``.

CSV files are UTF-8 without BOM, comma-separated, ``\\n`` line ends, no index; the same arguments give the
same bytes (those of ``DataFrame.to_csv``, written through Arrow by :mod:`crmbook.csv_writer`). Nothing
here is random: the tables come from :func:`crmbook.sample.generate`.
"""

from __future__ import annotations

from pathlib import Path

from crmbook.csv_writer import write_csv
from crmbook.sample.company import DEFAULT_N_CUSTOMERS, DEFAULT_SEED, END, START
from crmbook.sample.generator import generate
from crmbook.sample.truth import _write_truth

__all__ = ["SAMPLE_DIR", "FORMATS", "write_sample"]

#: The committed sample folder, anchored on this package (not on the working directory). It exists in a
#: clone installed with ``pip install -e .``; a wheel does not carry it (``data.check("sample")`` then
#: raises a FileNotFoundError that says how to install).
SAMPLE_DIR = Path(__file__).resolve().parents[3] / "datasets" / "sample"
#: File formats :func:`write_sample` writes, with their file extensions.
FORMATS = {"csv": "csv", "parquet": "parquet", "xlsx": "xlsx"}


def write_sample(out: str | Path, fmt: str = "csv", n_customers: int = DEFAULT_N_CUSTOMERS,
                 seed: int = DEFAULT_SEED, start: str = START, end: str = END,
                 purchase_rate: float = 1.0) -> list[Path]:
    """Generate the case company and write one file per table plus its truth into ``out``.

    CSV files are UTF-8 without BOM, comma-separated, ``\\n`` line ends, no index, dates ``YYYY-MM-DD``,
    money rounded to 2 decimals, booleans ``True``/``False``, missing values empty; the same arguments
    give the same bytes. Parquet and Excel (``.xlsx``, one sheet named like the table) hold the same
    frames (dates as ISO text).

    Parameters
    ----------
    out : str or Path
        Folder to write into (created if needed; existing table files are overwritten).
    fmt : {"csv", "parquet", "xlsx"}
        File format of the tables.
    n_customers, seed : int
        Passed to :func:`generate`.
    start, end : str
        First and last day of the history (``YYYY-MM-DD``), passed to :func:`generate`.
    purchase_rate : float
        Multiplies every customer's purchase rate, passed to :func:`generate`. The defaults of
        ``start``, ``end`` and ``purchase_rate`` give the bundled sample; a million customers with
        ``start="2016-01-01"`` and ``purchase_rate=3`` give about 10M orders.

    Returns
    -------
    list of Path
        The files written: ``<table>.<ext>`` for every table, then ``truth.json`` and
        ``truth_customers.parquet`` (read them back with :func:`crmbook.sample.read_truth`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"write_sample: fmt must be one of {sorted(FORMATS)}, got {fmt!r}")
    data = generate(n_customers=n_customers, seed=seed, start=start, end=end, purchase_rate=purchase_rate)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in data.tables.items():
        path = folder / f"{name}.{FORMATS[fmt]}"
        if fmt == "csv":
            write_csv(frame, path)
        elif fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_excel(path, index=False, sheet_name=name[:31])
        paths.append(path)
    paths.extend(_write_truth(data.truth, folder))
    return paths
