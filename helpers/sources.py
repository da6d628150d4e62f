"""Where data and checkpoints are served from. The notebooks call the libraries themselves:

    raw_datasets = load_dataset(helpers.locate("nyu-mll/glue", source), task)
    tokenizer = AutoTokenizer.from_pretrained(helpers.locate(checkpoint, source))

`locate(name, source)` returns what the library's own loader accepts: the Hub id itself where the
Hub (or the local Hugging Face cache) serves it, otherwise a local folder shaped exactly like that
Hub repository, and prints one line saying which source was used and why. Delete the wrapper and
the line is the course's.

source: "auto" (the Hub if it answers or the cache holds it, else the embedded sample and the
offline stand-ins), "hub" (the Hub or its cache, never a fallback), "sample" (the embedded sample
and stand-ins), or a local folder: a classroom bundle (`python -m helpers bundle`), a folder shaped
like the Hub's nyu-mll/glue (a README.md listing `configs:`), or plain `<split>-*.parquet` files
(also under `<task>/`). A source that was asked for and cannot serve is an error, never a fallback.
"""

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import ParameterError
from .hub import check_endpoint, hub_status
from .outdir import publish_folder, staging_folder
from .report import record, short_path
from .standins import STANDINS, standin_folder
from .tasks import GLUE_TASKS, HUB_DATASET, GlueTask, get_task

SAMPLE_REPO = Path(__file__).resolve().parent / "sample" / "glue"  # shaped like nyu-mll/glue
SAMPLE_WHAT = "the embedded sample (the project's own MRPC-style pairs, not the real corpus)"
KEYWORDS = ("auto", "hub", "sample")
SOURCES_HELP = ("'auto', 'hub', 'sample', or a local folder: a classroom bundle, a folder shaped like "
                "the Hub's nyu-mll/glue, or <split>-*.parquet files")
MANIFEST = "manifest.json"
ALL_SPLITS = sorted({split for task in GLUE_TASKS.values() for split in task.splits})


@dataclass(frozen=True)
class Located:
    name: str  # what was asked for: a Hub dataset or model id
    target: str  # what the library's loader gets: the id itself, or a local folder
    what: str  # which source, in a few words
    why: str = "asked for"  # why that one

    @property
    def description(self) -> str:
        return f"{self.what} [{self.why}]"


_SHOWN: dict[str, str] = {}  # name -> the source line already shown in this process (a kernel)


def locate(name: str, source="auto") -> str:
    """The Hub id `name`, or a local folder shaped like that Hub repository; prints which and why,
    once per name in a process (again only when the answer changes)."""
    found = resolve(name, source)
    if _SHOWN.get(found.name) != found.description:
        record(f"source:{found.name}", found.description, label=f"Source of {found.name}")
        _SHOWN[found.name] = found.description
    return found.target


def resolve(name: str, source="auto") -> Located:
    """What `locate` returns, and its description, without printing anything."""
    check_endpoint()  # the first helper a notebook calls: before anything imports huggingface_hub
    name, source = check_name(name), check_source(source)
    if name == HUB_DATASET:
        return _resolve_dataset(source)
    if Path(name).is_absolute():  # a local model folder, checked by check_name
        return Located(name, name, f"local model folder {short_path(Path(name))}")
    return _resolve_model(name, source)


TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "spiece.model", "sentencepiece.bpe.model")


def check_name(name) -> str:
    """A valid Hub id (huggingface_hub's own rule), or a local model folder made absolute: as
    `from_pretrained`, an existing folder wins over a Hub id of the same spelling."""
    if not isinstance(name, str) or not name.strip() or " " in name.strip():
        raise ParameterError("checkpoint", name, "a Hub id such as 'bert-base-uncased' or 'nyu-mll/glue'")
    name = name.strip()
    if name == "glue":
        raise ParameterError("name", name, f"the course's 'glue' id no longer resolves; use {HUB_DATASET!r}")
    folder = Path(name).expanduser()
    if folder.is_dir():
        missing = [what for what, present in (
            ("config.json", (folder / "config.json").is_file()),
            ("tokenizer files (" + ", ".join(TOKENIZER_FILES[:3]) + ")",
             any((folder / f).is_file() for f in TOKENIZER_FILES))) if not present]
        if missing:
            raise ParameterError("checkpoint", name, f"is a folder without {' or '.join(missing)}; a local "
                                 "model folder is what save_pretrained writes (model and tokenizer)")
        return str(folder.resolve())
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(name)
    except HFValidationError as error:
        reason = str(error).splitlines()[0].split(": '")[0].rstrip(".")
        raise ParameterError("checkpoint", name, f"is neither a local model folder nor a valid Hub id ({reason}); "
                             "e.g. 'bert-base-uncased' or 'org/name'") from None
    return name


def check_source(source) -> str:
    """'auto', 'hub', 'sample', or an existing folder (str or pathlib.Path), made absolute."""
    check_endpoint()  # every up-front check passes here, before huggingface_hub is imported
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if not isinstance(source, str) or not source.strip():
        raise ParameterError("source", source, f"pass {SOURCES_HELP}")
    if source in KEYWORDS:
        return source
    folder = Path(source).expanduser()
    if not folder.is_dir():
        raise ParameterError("source", source, "is neither 'auto', 'hub', 'sample' nor an existing folder")
    return str(folder.resolve())


# ---- datasets ---------------------------------------------------------------------------------

def _resolve_dataset(source: str) -> Located:
    if source == "sample":
        return Located(HUB_DATASET, str(SAMPLE_REPO), SAMPLE_WHAT)
    if source in ("hub", "auto"):
        status = hub_status()
        if status.online:
            return Located(HUB_DATASET, HUB_DATASET, "the Hub", status.reason)
        cached = cached_configs()
        if cached:
            return Located(HUB_DATASET, HUB_DATASET, f"the local Hugging Face cache ({', '.join(cached)})",
                           status.reason)
        if source == "hub":
            raise ParameterError("source", source, f"{HUB_DATASET} is neither reachable ({status.reason}) nor "
                                 "in the local cache; use source='auto' to fall back to the embedded sample, "
                                 "or a local folder")
        return Located(HUB_DATASET, str(SAMPLE_REPO), SAMPLE_WHAT, f"the Hub is unavailable: {status.reason}")
    folder = Path(source)
    manifest = read_manifest(folder)
    for candidate in (folder / HUB_DATASET, folder):
        if card_configs(candidate):
            what = _bundle_data_what(manifest)
            kind = "classroom bundle" if manifest is not None else "local folder"
            return Located(HUB_DATASET, str(candidate), f"{kind} {short_path(folder)}" + (f": {what}" if what else ""))
    matched = {task: files for task, (files, problem) in _plain_groups(folder).items() if not problem}
    if not matched:
        raise ParameterError("source", source, f"holds no GLUE data in a layout this project reads; expected "
                             f"{SOURCES_HELP}")
    return Located(HUB_DATASET, str(_view(folder, matched)),
                   f"local folder {short_path(folder)} ({', '.join(matched)} parquet files)")


def cached_configs() -> list[str]:
    """The configs of nyu-mll/glue that `datasets` can serve offline from its cache."""
    import datasets.config

    root = Path(datasets.config.HF_DATASETS_CACHE) / HUB_DATASET.replace("/", "___")
    return sorted({path.parent.parent.name for path in root.glob("*/*/*") if path.is_dir()})


def read_manifest(folder: Path) -> dict | None:
    """A bundle's manifest, None where there is none, one clear error where it is unreadable."""
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
        return manifest
    except (OSError, ValueError) as error:
        raise ParameterError("source", str(folder), f"its {MANIFEST} could not be read ({error}); rebuild the "
                             "bundle with `python -m helpers bundle`") from None


def _bundle_data_what(manifest: dict | None) -> str:
    """What a bundle says its data is: the Hub's, or the embedded sample."""
    parts = (manifest or {}).get("datasets", {}).get(HUB_DATASET, {})
    origins = {task: info.get("from", "?") for task, info in parts.items() if isinstance(info, dict)}
    if len(set(origins.values())) == 1:
        return f"{', '.join(origins)} from {next(iter(origins.values()))}"
    return "; ".join(f"{task} from {origin}" for task, origin in origins.items())


def front_matter(folder: Path) -> dict:
    """The YAML front matter of a dataset card (README.md), or {}."""
    import yaml

    card = folder / "README.md"
    try:
        text = card.read_text(encoding="utf-8")
        if text.startswith("---"):
            meta = yaml.safe_load(text.split("---", 2)[1])
            return meta if isinstance(meta, dict) else {}
    except (OSError, IndexError, yaml.YAMLError):
        pass
    return {}


def card_configs(folder: Path) -> dict[str, dict[str, list[str]]]:
    """{config: {split: [path patterns]}} from a Hub-shaped folder's card; {} for any other folder."""
    configs = {}
    for config in front_matter(folder).get("configs") or []:
        files = config.get("data_files") if isinstance(config, dict) else None
        if isinstance(files, list):
            configs[config.get("config_name", "default")] = {
                f["split"]: [f["path"]] if isinstance(f["path"], str) else list(f["path"]) for f in files}
    return configs


def write_dataset_card(folder: Path, body: str = "") -> None:
    """A README.md for the `<config>/<split>-*.parquet` files in `folder`, as the Hub's nyu-mll/glue
    has: its front matter lists each config's files per split, so `load_dataset(folder, config)`
    finds the config's own split names, and each split's row count and the files' size.

    The counts are more than documentation: `datasets` checks them when it loads, and it names a
    local folder's cache after the folder and a hash of its card alone, so two folders called
    "glue" with the same card would share one cache. Sizes and counts keep different data apart.
    """
    import pyarrow.parquet as pq
    import yaml

    configs, infos = [], []
    for config in sorted(p.name for p in folder.iterdir() if p.is_dir()):
        files = {}
        for path in sorted((folder / config).glob("*-*.parquet")):
            files.setdefault(path.name.split("-")[0], []).append(path)
        order = GLUE_TASKS[config].splits if config in GLUE_TASKS else ()
        files = dict(sorted(files.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0])))
        configs.append({"config_name": config,
                        "data_files": [{"split": split, "path": f"{config}/{split}-*"} for split in files]})
        infos.append({"config_name": config,
                      "splits": [{"name": split, "num_bytes": sum(pq.read_table(f).nbytes for f in paths),
                                  "num_examples": sum(pq.ParquetFile(f).metadata.num_rows for f in paths)}
                                 for split, paths in files.items()],
                      "download_size": sum(f.stat().st_size for paths in files.values() for f in paths)})
    meta = yaml.safe_dump({"configs": configs, "dataset_info": infos}, sort_keys=False)
    (folder / "README.md").write_text(f"---\n{meta}---\n{body}", encoding="utf-8")


def _plain_groups(folder: Path) -> dict[str, tuple[dict[str, list[Path]], str | None]]:
    """For each task that plain parquet files in `folder` (or `folder/<task>/`) could hold:
    (its files per split, None) when they fit the task's schema, else (files, what does not fit)."""
    found = {}
    for root, tasks in [*((folder / t, [t]) for t in GLUE_TASKS if (folder / t).is_dir()),
                        (folder, list(GLUE_TASKS))]:
        files = {}
        for split in ALL_SPLITS:
            matches = sorted(root.glob(f"{split}-*.parquet")) or sorted(root.glob(f"{split}.parquet"))
            if matches:
                files[split] = matches
        if not files:
            continue
        features = parquet_features(next(iter(files.values()))[0], folder)
        for task in tasks:
            info = GLUE_TASKS[task]
            if task in found and found[task][1] is None:
                continue  # a <task>/ folder that fits wins over the flat files
            problem = schema_problem(info, features)
            if problem is None and info.train_split not in files:
                problem = f"has splits {list(files)}, but {task} needs {info.train_split!r}"
            found[task] = ({s: f for s, f in files.items() if s in info.splits}, problem)
    return found


def parquet_features(path: Path, source: Path):
    """A parquet file's features, read from its schema alone (the rows are not read)."""
    import datasets
    import pyarrow.parquet as pq

    try:
        return datasets.Features.from_arrow_schema(pq.read_schema(path))
    except Exception as error:  # a truncated or foreign file: say which, in one line
        text = str(error).strip().splitlines()
        raise ParameterError("source", str(source), f"could not be read: {short_path(path)} is not a valid "
                             f"parquet file ({type(error).__name__}: {text[0] if text else ''})") from None


def schema_problem(info: GlueTask, features) -> str | None:
    """None when the features are the task's (text columns, label type, idx); else what differs."""
    expected = info.features()
    missing = [c for c in expected if c not in features]
    if missing:
        return (f"has columns {list(features)}, but {info.name} needs {list(expected)}")
    label, want = features["label"], expected["label"]
    if info.is_regression:
        if not (hasattr(label, "dtype") and label.dtype.startswith("float")):
            return f"has label {label}, but {info.name}'s label is a float score"
    elif not (hasattr(label, "names") and list(label.names) == list(want.names)):
        return f"has label {label}, but {info.name} needs {want}"
    for column in info.text_columns:
        if features[column] != expected[column]:
            return f"has {column} {features[column]}, but {info.name} needs {expected[column]}"
    return None


def _view(folder: Path, matched: dict[str, dict[str, list[Path]]]) -> Path:
    """A Hub-shaped view of plain parquet files: links to them under the names a card lists.

    Named by what it links to (paths, sizes, times), so it is built once and never changes;
    built in a scratch folder and renamed, so kernels that build it at once do not collide.
    """
    from huggingface_hub import constants

    listing = [(task, split, str(f), f.stat().st_size, f.stat().st_mtime_ns)
               for task, splits in matched.items() for split, files in splits.items() for f in files]
    key = hashlib.sha1(json.dumps(listing).encode()).hexdigest()[:16]
    view = Path(constants.HF_HOME) / "course-companion" / "views" / key / "glue"
    if (view / "README.md").is_file():
        return view
    staging = staging_folder(view)
    try:
        for task, splits in matched.items():
            (staging / task).mkdir()
            for split, files in splits.items():
                for number, path in enumerate(files):
                    (staging / task / f"{split}-{number:05d}-of-{len(files):05d}.parquet").symlink_to(path.resolve())
        write_dataset_card(staging, f"A view of the parquet files in {folder}, made by the course companion.\n")
        publish_folder(staging, view)  # False: another process made the same view first, kept
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return view


def check_task_source(task: str, source) -> GlueTask:
    """The task's row, once it is known that `source` serves it in the task's schema (in seconds,
    without reading the rows); else one ParameterError saying what the source holds instead."""
    info, source = get_task(task), check_source(source)
    if source in KEYWORDS:
        found = _resolve_dataset(source)
        if found.target == HUB_DATASET:
            status = hub_status()
            if not status.online and info.name not in cached_configs():
                raise ParameterError("task", task, f"is not in the local cache of {HUB_DATASET} (it holds "
                                     f"{', '.join(cached_configs())}) and the Hub is unavailable "
                                     f"({status.reason}); use source='sample' for MRPC, or a classroom bundle")
        elif info.name not in card_configs(SAMPLE_REPO):
            where = "" if source == "sample" else f" (the Hub is unavailable: {hub_status().reason})"
            raise ParameterError("task", task, f"is not in the embedded sample, which holds MRPC only{where}; "
                                 "where the Hub is reachable, run `python -m helpers bundle --tasks "
                                 f"{info.name} --out DIR`, then pass source=DIR")
        return info
    folder = Path(source)
    read_manifest(folder)  # an unreadable manifest is one clear error here, not a traceback later
    hub_shaped = next((c for c in (folder / HUB_DATASET, folder) if card_configs(c)), None)
    if hub_shaped is None:
        groups = _plain_groups(folder)
        if info.name not in groups:
            raise ParameterError("source", source, f"holds no {info.name} data; expected {SOURCES_HELP}")
        problem = groups[info.name][1]
    else:
        configs = card_configs(hub_shaped)
        if info.name not in configs:
            raise ParameterError("source", source, f"holds no {info.name} data (it holds: "
                                 f"{', '.join(configs)})")
        if info.train_split not in configs[info.name]:
            raise ParameterError("source", source, f"has {info.name} splits {list(configs[info.name])}, but "
                                 f"{info.name} needs {info.train_split!r}")
        first = sorted(hub_shaped.glob(configs[info.name][info.train_split][0]))
        if not first:
            raise ParameterError("source", source, f"lists {info.name} {info.train_split} files that are missing")
        problem = schema_problem(info, parquet_features(first[0], folder))
    if problem:
        raise ParameterError("source", source, f"is not in the {info.name} schema: {problem}")
    return info


# ---- checkpoints ------------------------------------------------------------------------------

def _resolve_model(name: str, source: str, note: str = "") -> Located:
    if source == "sample":
        if name not in STANDINS:
            raise ParameterError("checkpoint", name, "has no offline stand-in; with source='sample' use one "
                                 f"of: {', '.join(STANDINS)}")
        return Located(name, str(standin_folder(name)), STANDINS[name].describe())
    if source in ("hub", "auto"):
        status = hub_status()
        why = note + status.reason
        if status.online:
            return Located(name, name, "the Hub", why)
        if model_is_cached(name):
            return Located(name, name, "the local Hugging Face cache", why)
        if source == "hub" or name not in STANDINS:
            raise ParameterError("checkpoint", name, f"is neither reachable ({why}) nor in the local cache. "
                                 f"Offline, stand-ins exist for: {', '.join(STANDINS)}; or pass a classroom "
                                 "bundle (`python -m helpers bundle`) as source")
        return Located(name, str(standin_folder(name)), STANDINS[name].describe(),
                       f"the Hub is unavailable: {why}")
    folder = Path(source)
    manifest = read_manifest(folder)
    if (folder / name / "config.json").is_file():
        what = ((manifest or {}).get("models") or {}).get(name, {}).get("from")
        kind = "classroom bundle" if manifest is not None else "local folder"
        return Located(name, str(folder / name), f"{kind} {short_path(folder / name)}"
                       + (f": {what}" if what else ""))
    held = bundled_models(folder)
    if held or (manifest or {}).get("models"):
        raise ParameterError("checkpoint", name, f"is not in {short_path(folder)}, which holds: "
                             f"{', '.join(held) or 'no model folder'}")
    return _resolve_model(name, "auto", note="the source folder holds data only; ")


def model_is_cached(name: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(name, "config.json"), str)


def bundled_models(folder: Path) -> list[str]:
    """Model folders kept under their Hub names: `name/` or `org/name/`, each with a config.json."""
    return sorted(str(p.parent.relative_to(folder)) for pattern in ("*/config.json", "*/*/config.json")
                  for p in folder.glob(pattern))


def train_rows(task: str, source) -> int:
    """Rows in the task's training split, from the parquet footers where the files are local."""
    import pyarrow.parquet as pq

    info = get_task(task)
    found = _resolve_dataset(check_source(source))
    if found.target == HUB_DATASET:  # the Hub or its cache: what `datasets` itself counts
        from datasets import load_dataset

        from .report import quiet_libraries

        with quiet_libraries():
            return load_dataset(HUB_DATASET, info.name, split=info.train_split).num_rows
    folder = Path(found.target)
    files = sorted(folder.glob(card_configs(folder)[info.name][info.train_split][0]))
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)
