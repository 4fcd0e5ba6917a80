"""The ``crmbook`` command line.

Sub-commands::

    crmbook sample   --customers N --seed S --out DIR     generate the case-company data
                     [--start DATE --end DATE --purchase-rate X]   a longer or busier history
    crmbook validate --data PATH --as-of DATE [--mapping FILE]   (--as-of optional for --data sample)
    crmbook topics                                          list topic notebooks and their parameters
    crmbook run [TOPIC ...] --data PATH_OR_URL [...]        run notebooks into HTML reports
    crmbook facts --data PATH_OR_URL --as-of DATE --out FILE.parquet [--engine duckdb|sql|spark]
                                                            per-customer facts computed where the data are

Exit codes: 0 success; 1 the data or a notebook failed, more rows set aside than the set-aside limit
allows, or the reports could not be written (problems listed on stderr); 2 wrong usage; 130 / 143
interrupted by SIGINT / SIGTERM.
"""

from __future__ import annotations

import argparse
import sys

from crmbook.errors import EXIT_USAGE, UsageError

__all__ = ["build_parser", "main", "run_command"]


MAX_SET_ASIDE_HELP = ("fail when more than this share of a required table's rows (customers, orders) is set "
                      "aside as defects (rows after --as-of do not count): 0.1 or 10%% for both, orders=0.2 for "
                      "one table (repeatable), 1 to turn the check off; default 5%%")

AS_OF_HELP = ("analysis date YYYY-MM-DD; rows dated after it are set aside. Required, except with "
              "--data sample, whose default is 2025-12-31 (the last day of the bundled history)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``crmbook`` command."""
    parser = argparse.ArgumentParser(prog="crmbook", description="Customer-management workbook.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("sample", help="generate the case-company data set")
    p.add_argument("--customers", type=int, default=None, help="number of customers (default: the bundled size)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the bundled seed)")
    p.add_argument("--out", required=True, help="folder to write the tables into")
    p.add_argument("--format", choices=("csv", "parquet", "xlsx"), default="csv", help="file format")
    p.add_argument("--start", default=None, metavar="DATE",
                   help="first day of the history, YYYY-MM-DD (default: the bundled 2022-01-01); an earlier start "
                        "gives more orders per customer")
    p.add_argument("--end", default=None, metavar="DATE",
                   help="last day of the history, YYYY-MM-DD (default: the bundled 2025-12-31)")
    p.add_argument("--purchase-rate", type=float, default=None, metavar="X",
                   help="multiply every customer's purchase rate by X (default 1); --start 2016-01-01 "
                        "--purchase-rate 3 gives about 10 orders per customer (10M orders at 1M customers)")

    p = sub.add_parser("validate", help="check a data folder, file or database against the schemas")
    p.add_argument("--data", required=True, help='data folder, SQLAlchemy URL, or "sample"')
    p.add_argument("--as-of", default=None, help=AS_OF_HELP)
    p.add_argument("--mapping", default=None, help="column-mapping file (YAML)")
    p.add_argument("--max-set-aside", action="append", default=None, metavar="SHARE", help=MAX_SET_ASIDE_HELP)

    p = sub.add_parser("topics", help="list the topic notebooks and their parameters")
    p.add_argument("--notebooks", default=None, metavar="DIR",
                   help="folder of the topic notebooks (default: notebooks/ of the project)")

    p = sub.add_parser("run", help="run topic notebooks into HTML reports")
    p.add_argument("topics", nargs="*", help="topics to run (name or number); default: all")
    p.add_argument("--data", required=True, help='data folder, SQLAlchemy URL, or "sample"')
    p.add_argument("--as-of", default=None, help=AS_OF_HELP)
    p.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="set a notebook parameter (repeatable)")
    p.add_argument("--config", default=None, help="YAML or TOML file of parameters")
    p.add_argument("--out", default=None, help="reports folder (default: reports/ of the project)")
    p.add_argument("--jobs", type=int, default=1, help="notebooks run at once")
    p.add_argument("--show-code", action="store_true", help="show code cells in the HTML")
    p.add_argument("--show-lesson", action="store_true",
                   help="open the lesson parts (objectives, concept, formula) in the HTML; folded by default")
    p.add_argument("--notebooks", default=None, metavar="DIR",
                   help="folder of the topic notebooks (default: notebooks/ of the project)")
    p.add_argument("--timeout", type=int, default=None, metavar="SECONDS",
                   help="seconds one cell may run before the notebook fails (default: no limit)")
    p.add_argument("--max-set-aside", action="append", default=None, metavar="SHARE", help=MAX_SET_ASIDE_HELP)

    p = sub.add_parser("facts", help="per-customer facts and validation counts computed in an engine or database")
    p.add_argument("--data", required=True, help='data folder (CSV/Parquet), SQLAlchemy URL, or "sample"')
    p.add_argument("--as-of", default=None, help=AS_OF_HELP)
    p.add_argument("--out", required=True, help="Parquet file for the per-customer rows")
    p.add_argument("--engine", choices=("duckdb", "sql", "spark"), default=None,
                   help="duckdb (in-process, for a folder), sql (the database of a URL runs the queries) or spark "
                        "(a local Spark session over the folder's Parquet files); default: sql for a URL, else duckdb")
    p.add_argument("--examples", type=int, default=5, help="offending rows shown per rule (default 5)")
    return parser


def _cmd_facts(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from crmbook.report.runner import resolve_as_of

    try:
        as_of = resolve_as_of(args.data, args.as_of)
    except (UsageError, ValueError) as exc:
        print(f"crmbook facts: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from crmbook import engine as eng
    from crmbook.redact import lenient_redactor

    is_url = "://" in args.data
    kind = args.engine or ("sql" if is_url else "duckdb")
    if (kind == "sql") != is_url:
        print("crmbook facts: --engine sql needs a database URL as --data, and a URL needs --engine sql",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        if kind == "sql":
            engine = eng.SQLAlchemyEngine(args.data)
        else:
            from crmbook.data.sources import sample_folder

            folder = sample_folder(args.data) or Path(args.data)
            if kind == "duckdb":
                engine = eng.DuckDBEngine.from_folder(folder)
            else:
                from pyspark.sql import SparkSession

                spark = (SparkSession.builder.master("local[*]").appName("crmbook facts")
                         .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
                         .getOrCreate())
                engine = eng.SparkEngine.from_parquet(spark, {t: folder / f"{t}.parquet" for t in ("customers", "orders")})
        counts = eng.validation_counts(engine, as_of, examples=args.examples)
        facts = eng.customer_facts(engine, as_of, clean=True)
    except (FileNotFoundError, ValueError) as exc:
        print("crmbook facts: " + lenient_redactor(str(args.data))(str(exc)), file=sys.stderr)
        return 1
    facts.to_parquet(args.out, index=False)
    summary = {"engine": engine.dialect, "customers": len(facts), "out": str(args.out), **counts.to_dict()}
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from crmbook import sample

    kwargs = {}
    if args.customers is not None:
        kwargs["n_customers"] = args.customers
    if args.seed is not None:
        kwargs["seed"] = args.seed
    for name in ("start", "end", "purchase_rate"):
        if getattr(args, name) is not None:
            kwargs[name] = getattr(args, name)
    try:
        paths = sample.write_sample(args.out, fmt=args.format, **kwargs)
    except ValueError as exc:  # an argument out of range, e.g. too few customers
        print(f"crmbook sample: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from crmbook import data
    from crmbook.report.runner import resolve_as_of

    try:
        as_of = resolve_as_of(args.data, args.as_of)
        limit = data.parse_set_aside_limit(args.max_set_aside)
    except (UsageError, ValueError) as exc:
        print(f"crmbook validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        ds = data.check(args.data, as_of=as_of, mapping=args.mapping)
    except (FileNotFoundError, ValueError) as exc:  # the source itself cannot be read
        print(f"crmbook validate: {exc}", file=sys.stderr)
        return 1
    print(ds.summary())
    if not ds.usable:
        print(ds.problem_report(), file=sys.stderr)
        return 1
    from crmbook.report.parameters import as_of_warning
    from crmbook.report.runner import last_order

    warning = as_of_warning(as_of, last_order(ds))
    if warning:
        print(f"crmbook validate: {warning}", file=sys.stderr)
    over = data.set_aside_over_limit(ds, limit)
    for line in over:
        print(f"crmbook validate: {line}", file=sys.stderr)
    return 1 if over else 0


def _cmd_topics(args: argparse.Namespace) -> int:
    from crmbook.report import describe_topics

    try:
        print(describe_topics(args.notebooks), end="")
    except UsageError as exc:
        print(f"crmbook topics: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def run_command(args: argparse.Namespace) -> int:
    """``crmbook run``: run the notebooks and return the exit code (0 ok, 1 failed, 2 usage).

    ``args`` as :func:`build_parser` reads them. The run folder is printed on stdout; progress and
    failures go to stderr, a usage error as one ``crmbook run: ...`` message with every password it may
    hold scrubbed (:func:`crmbook.redact.lenient_redactor`).
    """
    from crmbook.redact import lenient_redactor
    from crmbook.report import run_reports
    from crmbook.report.runner import DataRefused, RunInterrupted, RunWriteError

    params = dict(args.param or [])
    try:
        result = run_reports(
            args.topics, data=args.data, as_of=args.as_of, params=params, config=args.config, out=args.out,
            jobs=args.jobs, show_code=args.show_code,
            show_lesson=getattr(args, "show_lesson", False), notebooks_dir=getattr(args, "notebooks", None),
            timeout=getattr(args, "timeout", None), max_set_aside=getattr(args, "max_set_aside", None),
        )
    except UsageError as exc:
        print("crmbook run: " + lenient_redactor(str(args.data))(str(exc)), file=sys.stderr)
        return EXIT_USAGE
    except RunInterrupted as exc:
        print(f"crmbook run: {exc}", file=sys.stderr)
        return exc.exit_code
    except RunWriteError as exc:
        print(f"crmbook run: {exc}", file=sys.stderr)
        return 1
    except DataRefused as exc:
        for line in str(exc).splitlines():
            print(f"crmbook run: {line} (no notebook was run)", file=sys.stderr)
        return 1
    print(result.folder)
    return result.exit_code


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``crmbook`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    handler = {"sample": _cmd_sample, "validate": _cmd_validate, "topics": _cmd_topics, "run": run_command,
               "facts": _cmd_facts}
    try:
        return handler[args.command](args)
    except KeyboardInterrupt:  # outside a run (a run says more: crmbook.report.runner.RunInterrupted)
        print(f"crmbook {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
