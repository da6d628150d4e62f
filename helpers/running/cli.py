"""Command line: python -m helpers {run,refresh,bench,bundle,student,nbgrader,key,train,build-sample} --help

Bad input is one line on stderr naming the parameter and what is allowed, exit code 2, nothing
written; Ctrl-C during a run is one line and exit code 130.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from ..errors import ParameterError, exit_code
from .outdir import check_path_text


def _value(text: str):
    """Types as papermill's `-p` infers them: bool, None, int, float, else str."""
    if text in ("True", "False"):
        return text == "True"
    if text == "None":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _yaml_mapping(text: str, parameter: str, value: str) -> dict:
    import yaml

    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problem = str(error).splitlines()[0]
        raise ParameterError(parameter, value, f"is not valid YAML ({problem})") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise ParameterError(
            parameter, value, "must be a YAML mapping of parameter names to values, such as 'batch_size: 16'"
        )
    return loaded


def _parameters(args) -> dict:
    parameters = {}
    if args.parameters_file:
        path = Path(check_path_text("-f", args.parameters_file))
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ParameterError("-f", args.parameters_file, f"cannot be read ({error.strerror or error})") from None
        except UnicodeDecodeError as error:
            byte = error.object[error.start]
            raise ParameterError(
                "-f",
                args.parameters_file,
                f"is not UTF-8 text (byte 0x{byte:02x} at position {error.start}); save it as UTF-8",
            ) from None
        parameters.update(_yaml_mapping(text, "-f", args.parameters_file))
    if args.parameters_yaml is not None:
        parameters.update(_yaml_mapping(args.parameters_yaml, "-y", args.parameters_yaml))
    parameters.update({name: _value(value) for name, value in args.parameters or []})
    return parameters


def cmd_run(args) -> int:
    from ..report import short_path
    from .runner import Interrupted, chosen_notebooks, run_notebooks, summary_table

    notebooks = chosen_notebooks(args)
    try:
        rows = run_notebooks(
            notebooks, _parameters(args), args.out, html=args.html, timeout=args.timeout, overwrite=args.overwrite
        )
    except Interrupted as stop:
        print(stop, file=sys.stderr)
        return 130
    print()
    print(summary_table(rows))
    failed = [r for r in rows if r["status"] != "ok"]
    print(
        f"\n{len(rows) - len(failed)} passed, {len(failed)} failed; executed notebooks and summary.json "
        f"in {short_path(rows.folder)}"
    )
    return 1 if failed else 0


def cmd_refresh(args) -> int:
    """Re-execute the stored notebooks top to bottom, as the tests see them, and store the result."""
    from .environment import STORED_RUN_ENV, scoped_env
    from .runner import chosen_notebooks, list_notebooks, notebook_folder, run_notebooks, store_outputs

    if args.lang == "en":
        notebooks = chosen_notebooks(args)
    else:  # built from the English notebooks first, so every code change is carried across
        from ..classroom.translation import build_translations

        notebook_folder(args.lang)  # a language we have, before anything is written
        notebooks = build_translations(list_notebooks(args.notebooks), args.lang)
    with tempfile.TemporaryDirectory() as scratch:
        # The tests' settings: offline, quiet, a fresh cache (so no progress bar depends on a warm one).
        with scoped_env({**STORED_RUN_ENV, "HF_HOME": str(Path(scratch) / "hf_home")}):
            rows = run_notebooks(notebooks, {}, Path(scratch) / "out")
        if any(r["status"] != "ok" for r in rows):
            print("Not stored: a notebook failed.", file=sys.stderr)
            return 1
        store_outputs(notebooks, Path(scratch) / "out")
    for notebook in notebooks:
        print(f"stored {notebook.name}")
    return 0


def cmd_build_sample(args) -> int:
    from ..offline.sample import build_sample

    print(build_sample())
    return 0


def cmd_bench(args) -> int:
    from ..training.bench import cmd_bench

    return cmd_bench(args)


def cmd_bundle(args) -> int:
    from ..classroom.bundle import cmd_bundle

    return cmd_bundle(args)


NOTEBOOKS_HELP = "numbers or names (default: all), e.g. 01 03_batched_map"


def add_notebook_options(parser: argparse.ArgumentParser) -> None:
    """The notebooks a command takes: their names, and --lang (notebooks/ or notebooks/<language>/)."""
    parser.add_argument("notebooks", nargs="*", help=NOTEBOOKS_HELP)
    parser.add_argument(
        "--lang",
        default="en",
        help="the notebooks' language: en (default) or ko (notebooks/ko, built from the English)",
    )


def add_out_options(parser: argparse.ArgumentParser, out: str, overwrite: str, required: bool = False) -> None:
    """--out and --overwrite, with what this command writes there (the one --out rule: outdir.py)."""
    parser.add_argument("--out", required=required, help=out)
    parser.add_argument(
        "--overwrite", action="store_true", help=f"write into a non-empty --out, replacing only {overwrite}"
    )


def _add_run(sub) -> None:
    run = sub.add_parser("run", help="execute notebooks with papermill into an output folder")
    add_notebook_options(run)
    run.add_argument(
        "-p",
        "--parameter",
        dest="parameters",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="a parameter, as papermill's -p",
    )
    run.add_argument("-y", "--parameters-yaml", help="parameters as a YAML mapping")
    run.add_argument("-f", "--parameters-file", help="parameters from a YAML file")
    add_out_options(
        run,
        "a new or empty output folder (default: a new runs/<timestamp>)",
        "the files this run writes (its notebooks, HTML, summary.json)",
    )
    run.add_argument("--html", action="store_true", help="also export each executed notebook as HTML")
    run.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell (default 900)")
    run.set_defaults(func=cmd_run)


def _add_refresh_and_sample(sub) -> None:
    refresh = sub.add_parser("refresh", help="re-execute and store the notebooks' outputs (offline)")
    add_notebook_options(refresh)
    refresh.set_defaults(func=cmd_refresh)

    sample = sub.add_parser("build-sample", help="write the sample's parquet files from its TSV")
    sample.set_defaults(func=cmd_build_sample)


def _add_bench(sub) -> None:
    bench = sub.add_parser("bench", help="time training steps under each padding strategy")
    bench.add_argument("--source", default="auto")
    bench.add_argument("--task", default="mrpc")
    bench.add_argument("--checkpoint", default="bert-base-uncased")
    bench.add_argument("--batch-size", type=int, default=16)
    bench.add_argument("--steps", type=int, default=8, help="training steps per strategy (default 8)")
    bench.add_argument("--max-length", type=int, default=128)
    bench.add_argument("--seed", type=int, default=0)
    bench.add_argument("--device", default="auto", help="auto (a GPU when there is one), cpu or cuda")
    add_out_options(
        bench,
        "a new or empty folder for the CSV and the plot (default: a new runs/bench/<timestamp>)",
        "an earlier benchmark's CSV and plot",
    )
    bench.set_defaults(func=cmd_bench)


def _add_bundle(sub) -> None:
    bundle = sub.add_parser("bundle", help="save datasets, tokenizers and models into one folder for offline use")
    bundle.add_argument("--tasks", nargs="+", default=["mrpc"])
    bundle.add_argument("--checkpoints", nargs="+", default=["bert-base-uncased", "distilbert-base-uncased"])
    bundle.add_argument("--out", required=True, help="a new or empty folder")
    bundle.add_argument("--source", default="auto", help="where to take them from (default: auto)")
    bundle.set_defaults(func=cmd_bundle)


def main(argv=None) -> int:
    from ..classroom import grading, key, student
    from ..training import train

    parser = argparse.ArgumentParser(
        prog="python -m helpers", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for add_parser in (
        _add_run,
        _add_refresh_and_sample,
        _add_bench,
        _add_bundle,
        student.add_parser,
        grading.add_parser,
        key.add_parser,
        train.add_parser,
    ):
        add_parser(sub)
    args = parser.parse_args(argv)
    from ..offline.hub import check_endpoint

    return exit_code(lambda a: check_endpoint() or args.func(a), args)  # HF_ENDPOINT before any import
