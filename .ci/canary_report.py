"""The canary's report: versions, each notebook's status, the failing cell and its error's first line,
and the recorded key figures that differ from those of the stored notebooks (timings excluded)."""

import json
import sys
from importlib.metadata import version
from pathlib import Path

from helpers.runner import list_notebooks

from helpers.report import read_records

LIBRARIES = ["transformers", "datasets", "huggingface_hub", "accelerate", "torch", "tokenizers"]


def main(run_dir: str, status: str, torch_note: str, log: str) -> None:
    run = Path(run_dir)
    print("# Canary report\n")
    print("| library | version |\n| --- | --- |")
    for name in LIBRARIES:
        print(f"| {name} | {version(name)} |")
    print(f"\ntorch: {torch_note}\n")
    summary = run / "summary.json"
    if not summary.is_file():
        tail = Path(log).read_text(errors="replace").strip().splitlines()[-15:]
        print(f"The runner stopped before any notebook ran (exit code {status}):\n\n```\n" + "\n".join(tail) + "\n```")
        return
    print("| notebook | status | seconds | failing cell | error | key figures that changed |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in json.loads(summary.read_text()):
        stored = next(nb for nb in list_notebooks() if nb.stem == row["notebook"])
        executed = run / f"{row['notebook']}.ipynb"
        changed = ""
        if executed.is_file():
            before, after = read_records(stored, stable_only=True), read_records(executed, stable_only=True)
            changed = "; ".join(
                f"{key}: {json.dumps(before.get(key))} -> {json.dumps(after.get(key))}"
                for key in sorted(set(before) | set(after))
                if before.get(key) != after.get(key) and not key.startswith("source:")
            )
        error = row.get("error", "").splitlines()[0][:120] if row.get("error") else ""
        print(
            f"| {row['notebook']} | {row['status']} | {row.get('seconds', '')} | {row.get('failed_cell', '')} "
            f"| {error} | {changed or 'none'} |"
        )


if __name__ == "__main__":
    main(*sys.argv[1:5])
