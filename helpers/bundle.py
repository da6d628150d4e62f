"""A classroom bundle: everything the notebooks need, saved once into one folder.

Run where the Hub is reachable; then `source=DIR` serves every notebook with no network:
    DIR/<task>/<split>-00000-of-00001.parquet   the Hub's layout, features in the metadata
    DIR/models/<checkpoint>/                    tokenizer files and the pretrained encoder
    DIR/manifest.json                           what was saved, and from where
"""

import json
import shutil
from pathlib import Path

from .errors import ParameterError
from .params import check_checkpoint, check_source
from .tasks import get_task


def build_bundle(tasks, checkpoints, out: Path, source: str = "auto", seed: int = 0) -> dict:
    from .data import load_glue
    from .models import load_encoder, load_tokenizer

    tasks = [get_task(t).name for t in tasks]
    checkpoints = [check_checkpoint(c) for c in checkpoints]
    check_source(source)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ParameterError("out", str(out), "already exists and is not empty; choose a new folder")
    staging = out.with_name(out.name + ".partial")  # renamed at the end: no half-written bundle
    shutil.rmtree(staging, ignore_errors=True)
    manifest = {"tasks": {}, "models": {}}
    try:
        for task in tasks:
            raw = load_glue(task, source)
            (staging / task).mkdir(parents=True)
            for split, part in raw.items():
                part.to_parquet(str(staging / task / f"{split}-00000-of-00001.parquet"))
            manifest["tasks"][task] = {"rows": {s: p.num_rows for s, p in raw.items()}}
        for checkpoint in checkpoints:
            folder = staging / "models" / checkpoint.replace("/", "__")
            load_tokenizer(checkpoint, source).save_pretrained(folder)
            encoder, where = load_encoder(checkpoint, source, seed)  # the head is made per task later
            encoder.save_pretrained(folder)
            manifest["models"][checkpoint] = {"from": where}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
        shutil.rmtree(out, ignore_errors=True)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def cmd_bundle(args) -> int:
    manifest = build_bundle(args.tasks, args.checkpoints, Path(args.out), args.source)
    print(f"Bundle written to {args.out}:")
    for task, info in manifest["tasks"].items():
        print(f"  {task}: {info['rows']}")
    for checkpoint, info in manifest["models"].items():
        print(f"  models/{checkpoint}: {info['from']}")
    print(f"Use it with: python -m helpers run -p source {args.out}")
    return 0


def add_parser(sub) -> None:
    bundle = sub.add_parser("bundle", help="save datasets, tokenizers and models into one folder for offline use")
    bundle.add_argument("--tasks", nargs="+", default=["mrpc"])
    bundle.add_argument("--checkpoints", nargs="+", default=["bert-base-uncased", "distilbert-base-uncased"])
    bundle.add_argument("--out", required=True, help="a new folder")
    bundle.add_argument("--source", default="auto", help="where to take them from (default: auto)")
    bundle.set_defaults(func=cmd_bundle)
