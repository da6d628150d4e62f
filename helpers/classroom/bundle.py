"""A classroom bundle: a local mirror of the Hub repositories the notebooks use, under their Hub names.

Run where the Hub is reachable (at home, the night before); then `source=DIR` serves every
notebook with no network, and `helpers.locate(name, DIR)` maps each name into it:
    DIR/nyu-mll/glue/README.md, <task>/<split>-00000-of-00001.parquet   the dataset, Hub-shaped
    DIR/<checkpoint>/                                                   config, tokenizer, weights
    DIR/manifest.json                          what each part is: the Hub's, or the sample / a stand-in
Offline, it packs the embedded sample and the stand-ins, and the manifest says so.
"""

import json
import shutil
from pathlib import Path

from ..errors import ParameterError
from ..offline.sources import check_name, check_source, check_task_source, resolve, write_dataset_card
from ..running.outdir import check_out_dir, staging_folder
from ..tasks import HUB_DATASET, get_task

# The files a checkpoint needs to load its tokenizer and model: no other frameworks' weights.
MODEL_FILES = [
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "*.model",
    "model.safetensors",
]


def build_bundle(tasks, checkpoints, out, source: str = "auto") -> dict:
    """Write the bundle into `out` (new or empty), checking every part can be had first."""
    tasks = [get_task(t).name for t in tasks]
    checkpoints = [check_name(c) for c in checkpoints]
    source = check_source(source)
    out = check_out_dir(out, can_overwrite=False)  # bundle has no --overwrite: a new or empty folder
    for task in tasks:
        check_task_source(task, source)
    located = {checkpoint: resolve(checkpoint, source) for checkpoint in checkpoints}
    staging = staging_folder(out)  # renamed to `out` at the end
    manifest = {"made_by": "python -m helpers bundle", "datasets": {HUB_DATASET: {}}, "models": {}}
    try:
        _save_tasks(tasks, source, staging / HUB_DATASET, manifest["datasets"][HUB_DATASET])
        for checkpoint, found in located.items():
            _copy_model(found.target, staging / checkpoint)
            manifest["models"][checkpoint] = {"from": found.what}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
        try:
            if out.exists():
                out.rmdir()  # empty, as checked
            staging.rename(out)
        except OSError as error:  # another command wrote into `out` while this one worked
            raise ParameterError(
                "out",
                str(out),
                "was written into by another command meanwhile "
                f"({error.strerror or error}); the bundle was not saved: choose a new "
                "folder",
            ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _save_tasks(tasks: list[str], source: str, repo: Path, manifest: dict) -> None:
    from datasets import load_dataset

    from ..report import quiet_libraries

    found = resolve(HUB_DATASET, source)
    for task in tasks:
        (repo / task).mkdir(parents=True)
        with quiet_libraries():
            raw = load_dataset(found.target, task)
            for split, part in raw.items():
                part.to_parquet(str(repo / task / f"{split}-00000-of-00001.parquet"))  # features kept
        manifest[task] = {"rows": {s: p.num_rows for s, p in raw.items()}, "from": found.what}
    write_dataset_card(repo, "Saved by `python -m helpers bundle` for offline use.\n")


def _copy_model(target: str, folder: Path) -> None:
    """A local folder is copied (links followed); a Hub id is fetched, or taken from the cache."""
    if not Path(target).is_dir():
        from huggingface_hub import snapshot_download

        target = snapshot_download(target, allow_patterns=MODEL_FILES)
    folder.mkdir(parents=True)
    for pattern in MODEL_FILES:
        for path in Path(target).glob(pattern):
            shutil.copy(path, folder / path.name)  # follows links: the bundle stands alone


def cmd_bundle(args) -> int:
    manifest = build_bundle(args.tasks, args.checkpoints, args.out, args.source)
    print(f"Bundle written to {args.out}:")
    for task, info in manifest["datasets"][HUB_DATASET].items():
        print(f"  {HUB_DATASET} {task}: {info['rows']}, from {info['from']}")
    for checkpoint, info in manifest["models"].items():
        print(f"  {checkpoint}: from {info['from']}")
    print(f"Use it with: python -m helpers run -p source {args.out}")
    return 0
