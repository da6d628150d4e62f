"""Command line: python -m helpers {run,refresh,bench,bundle,build-sample} --help"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from .errors import ParameterError


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


def _parameters(args) -> dict:
    import yaml

    parameters = {}
    if args.parameters_file:
        parameters.update(yaml.safe_load(Path(args.parameters_file).read_text()) or {})
    if args.parameters_yaml:
        parameters.update(yaml.safe_load(args.parameters_yaml) or {})
    parameters.update({name: _value(value) for name, value in args.parameters or []})
    return parameters


def cmd_run(args) -> int:
    from .runner import list_notebooks, run_notebooks, summary_table

    notebooks = list_notebooks(args.notebooks)
    out_dir = Path(args.out or Path("runs") / time.strftime("%Y%m%d-%H%M%S")).resolve()
    print(f"Running {len(notebooks)} notebook(s) into {out_dir}")
    rows = run_notebooks(notebooks, _parameters(args), out_dir, html=args.html, timeout=args.timeout)
    print()
    print(summary_table(rows))
    failed = [r for r in rows if r["status"] != "ok"]
    print(f"\n{len(rows) - len(failed)} passed, {len(failed)} failed; executed notebooks and summary.json "
          f"in {out_dir}")
    return 1 if failed else 0


def cmd_refresh(args) -> int:
    """Re-execute the stored notebooks top to bottom, as the tests see them, and store the result."""
    import os

    import nbformat

    from .runner import list_notebooks, run_notebooks

    notebooks = list_notebooks(args.notebooks)
    with tempfile.TemporaryDirectory() as scratch:
        # The same settings as the tests: offline, a fresh cache, no progress bars.
        os.environ.update({"HF_HUB_OFFLINE": "1", "HF_HOME": str(Path(scratch) / "hf_home"),
                           "OMP_NUM_THREADS": "1"})
        rows = run_notebooks(notebooks, {}, Path(scratch) / "out")
        if any(r["status"] != "ok" for r in rows):
            print("Not stored: a notebook failed.", file=sys.stderr)
            return 1
        for notebook in notebooks:
            executed = nbformat.read(str(Path(scratch) / "out" / notebook.name), as_version=4)
            executed.metadata.pop("papermill", None)
            for cell in executed.cells:
                cell.metadata.pop("papermill", None)
                cell.metadata.pop("execution", None)
            nbformat.write(executed, str(notebook))
            print(f"stored {notebook.name}")
    return 0


def cmd_build_sample(args) -> int:
    from .data import build_sample

    print(build_sample())
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute notebooks with papermill into an output folder")
    run.add_argument("notebooks", nargs="*", help="numbers or names (default: all), e.g. 01 04_dynamic_padding")
    run.add_argument("-p", "--parameter", dest="parameters", nargs=2, action="append",
                     metavar=("NAME", "VALUE"), help="a parameter, as papermill's -p")
    run.add_argument("-y", "--parameters-yaml", help="parameters as a YAML string")
    run.add_argument("-f", "--parameters-file", help="parameters from a YAML file")
    run.add_argument("--out", help="output folder (default: runs/<timestamp>)")
    run.add_argument("--html", action="store_true", help="also export each executed notebook as HTML")
    run.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell (default 900)")
    run.set_defaults(func=cmd_run)

    refresh = sub.add_parser("refresh", help="re-execute and store the notebooks' outputs (offline)")
    refresh.add_argument("notebooks", nargs="*")
    refresh.set_defaults(func=cmd_refresh)

    sample = sub.add_parser("build-sample", help="write the sample's parquet files from its TSV")
    sample.set_defaults(func=cmd_build_sample)

    from . import bench, bundle

    bench.add_parser(sub)
    bundle.add_parser(sub)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ParameterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
