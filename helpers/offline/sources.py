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

import glob
import hashlib
import json
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ParameterError
from ..language import message, say
from ..report import record, short_path
from ..running.outdir import built_beside
from ..tasks import GLUE_TASKS, HUB_DATASET, GlueTask, get_task
from .hub import check_endpoint, configure_libraries, hub_status
from .standins import STANDINS, standin_folder, standin_path

SAMPLE_REPO = Path(__file__).resolve().parent / "sample_data" / "glue"  # shaped like nyu-mll/glue
SAMPLE_WHAT = message("source.sample", "en")  # as a bundle's manifest records it
KEYWORDS = ("auto", "hub", "sample")
SOURCES_HELP = (
    "'auto', 'hub', 'sample', or a local folder: a classroom bundle, a folder shaped like "
    "the Hub's nyu-mll/glue, or <split>-*.parquet files"
)
MANIFEST = "manifest.json"
ALL_SPLITS = sorted({split for task in GLUE_TASKS.values() for split in task.splits})
SPLIT_NAME = r"^\w+(\.\w+)*$"  # what `datasets` takes as a split name (datasets.naming._split_re)


@dataclass(frozen=True)
class Located:
    name: str  # what was asked for: a Hub dataset or model id
    target: str  # what the library's loader gets: the id itself, or a local folder
    what: str  # which source, in a few words
    why: str = ""  # why that one; "" when it is what was asked for

    @property
    def description(self) -> str:
        """The source line's text, in the notebook's language (what and why were said in it)."""
        return f"{self.what} [{self.why or say('source.asked_for')}]"


_SHOWN: dict[str, str] = {}  # name -> the source line already shown in this process (a kernel)


def locate(name: str, source="auto") -> str:
    """The Hub id `name`, or a local folder shaped like that Hub repository; prints which and why,
    once per name in a process (again only when the answer changes)."""
    found = resolve(name, source)
    if _SHOWN.get(found.name) != found.description:
        record(f"source:{found.name}", found.description, label=say("source.label", name=found.name))
        _SHOWN[found.name] = found.description
    return found.target


def resolve(name: str, source="auto", build: bool = True) -> Located:
    """What `locate` returns, and its description, without printing anything. build=False (the
    up-front check): a stand-in's folder is named, not built."""
    check_endpoint()  # the first helper a notebook calls: before anything imports huggingface_hub
    name, source = check_name(name), check_source(source)
    if name == HUB_DATASET:
        return _resolve_dataset(source)
    if Path(name).is_absolute():  # a local model folder, checked by check_name
        return Located(name, name, say("source.model_folder", folder=short_path(Path(name))))
    return _resolve_model(name, source, build=build)


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
        missing = [
            what
            for what, present in (
                ("config.json", (folder / "config.json").is_file()),
                (
                    "tokenizer files (" + ", ".join(TOKENIZER_FILES[:3]) + ")",
                    any((folder / f).is_file() for f in TOKENIZER_FILES),
                ),
            )
            if not present
        ]
        if missing:
            raise ParameterError(
                "checkpoint",
                name,
                f"is a folder without {' or '.join(missing)}; a local "
                "model folder is what save_pretrained writes (model and tokenizer)",
            )
        return str(folder.resolve())
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(name)
    except HFValidationError as error:
        reason = str(error).splitlines()[0].split(": '")[0].rstrip(".")
        raise ParameterError(
            "checkpoint",
            name,
            f"is neither a local model folder nor a valid Hub id ({reason}); e.g. 'bert-base-uncased' or 'org/name'",
        ) from None
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
        return Located(HUB_DATASET, str(SAMPLE_REPO), say("source.sample"))
    if source in ("hub", "auto"):
        status = configure_libraries()
        if status.online:
            return Located(HUB_DATASET, HUB_DATASET, say("source.hub"), status.reason)
        cached = cached_configs()
        if cached:
            what = say("source.cache_configs", configs=", ".join(cached))
            return Located(HUB_DATASET, HUB_DATASET, what, status.reason)
        if source == "hub":
            raise ParameterError(
                "source",
                source,
                f"{HUB_DATASET} is neither reachable ({status.reason}) nor "
                "in the local cache; use source='auto' to fall back to the embedded sample, "
                "or a local folder",
            )
        why = say("source.hub_unavailable", reason=status.reason)
        return Located(HUB_DATASET, str(SAMPLE_REPO), say("source.sample"), why)
    folder = Path(source)
    manifest = read_manifest(folder)
    hub_shaped = hub_shaped_folder(folder)
    if hub_shaped is not None:
        what = _bundle_data_what(manifest)
        return Located(HUB_DATASET, str(hub_shaped), _folder_what(folder, manifest, what))
    matched = {task: files for task, (files, problem) in _plain_groups(folder).items() if not problem}
    if not matched:
        raise ParameterError(
            "source", source, f"holds no GLUE data in a layout this project reads; expected {SOURCES_HELP}"
        )
    return Located(
        HUB_DATASET,
        str(_view(folder, matched)),
        say("source.local_parquet", folder=short_path(folder), tasks=", ".join(matched)),
    )


def cached_configs() -> list[str]:
    """The configs of nyu-mll/glue that `datasets` can serve offline from its cache."""
    import datasets.config

    root = Path(datasets.config.HF_DATASETS_CACHE) / HUB_DATASET.replace("/", "___")
    return sorted({path.parent.parent.name for path in root.glob("*/*/*") if path.is_dir()})


def read_manifest(folder: Path) -> dict | None:
    """A bundle's manifest, None where there is none, one clear error where it is unreadable or
    not shaped as `python -m helpers bundle` writes it."""
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        problem = _manifest_problem(manifest)
        if problem:
            raise ValueError(problem)
        return manifest
    except (OSError, ValueError) as error:
        raise ParameterError(
            "source",
            str(folder),
            f"its {MANIFEST} could not be read ({error}); rebuild the bundle with `python -m helpers bundle`",
        ) from None


def _manifest_problem(manifest) -> str | None:
    """What in a manifest is not as the bundle writes it: {"datasets": {repo: {task: {"from": text,
    ...}}}, "models": {name: {"from": text}}} (either part may be absent)."""
    if not isinstance(manifest, dict):
        return f"a JSON {type(manifest).__name__}, not an object"
    datasets, models = manifest.get("datasets") or {}, manifest.get("models") or {}
    if not isinstance(datasets, dict) or not all(isinstance(parts, dict) for parts in datasets.values()):
        return '"datasets" is not an object of datasets, each an object of tasks'
    if not isinstance(models, dict):
        return f'"models" is a JSON {type(models).__name__}, not an object of models'
    entries = [*(part for parts in datasets.values() for part in parts.values()), *models.values()]
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("from", ""), str):
            return f'an entry is {json.dumps(entry)[:60]}, not an object with a "from" text'
    return None


def _folder_what(folder: Path, manifest: dict | None, what: str | None) -> str:
    """A local folder or a classroom bundle (one with a manifest), and what its manifest says it holds."""
    kind = say("source.bundle" if manifest is not None else "source.local_folder", folder=short_path(folder))
    return kind + (f": {what}" if what else "")


def _bundle_data_what(manifest: dict | None) -> str:
    """What a bundle says its data is: the Hub's, or the embedded sample."""
    parts = (manifest or {}).get("datasets", {}).get(HUB_DATASET, {})
    origins = {task: info.get("from", "?") for task, info in parts.items() if isinstance(info, dict)}
    if len(set(origins.values())) == 1:
        return say("source.from", tasks=", ".join(origins), origin=next(iter(origins.values())))
    return "; ".join(say("source.from", tasks=task, origin=origin) for task, origin in origins.items())


def front_matter(folder: Path, source=None) -> dict:
    """The YAML front matter of a dataset card (README.md), found and read as huggingface_hub's
    DatasetCard reads it (UTF-8, its block rule); {} without a card or a block. A card the libraries
    could not read is one error naming `source` (default: the folder)."""
    import yaml
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    card = folder / "README.md"
    if not card.is_file():
        return {}
    try:
        text = card.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise _card_error(
            source,
            card,
            f"is not UTF-8 text (byte {error.object[error.start]:#04x} at offset "
            f"{error.start}); the libraries read a dataset card as UTF-8",
        ) from None
    except OSError as error:
        raise _card_error(source, card, f"could not be read ({error.strerror})") from None
    match = REGEX_YAML_BLOCK.search(text)
    try:
        meta = yaml.safe_load(match.group(2)) if match else None
    except yaml.YAMLError as error:
        raise _card_error(source, card, f"has front matter that is not YAML ({_first_line(error)})") from None
    if meta is not None and not isinstance(meta, dict):
        raise _card_error(source, card, f"has front matter that is a {type(meta).__name__}, not a mapping")
    return meta or {}


def _card_error(source, path: Path, what: str) -> ParameterError:
    """One line naming the folder given and the file in it that is wrong."""
    where = Path(source) if source is not None else path.parent
    name = os.path.relpath(path, where) if path.is_relative_to(where) else short_path(path)
    return ParameterError("source", str(where), f"{name} {what}")


def _first_line(error) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:120] if text else type(error).__name__


def card_configs(folder: Path, source=None) -> dict[str, dict[str, list[str]]]:
    """{config: {split: [path patterns, relative to `folder` or absolute]}}, read from a dataset
    card's `configs:` as `datasets` reads it (its MetadataConfigs and sanitize_patterns): a list of
    {split, path} entries; a path or a list of paths, which `datasets` puts in one 'train' split; no
    data_files, splits found from the file names (under data_dir) by `datasets`' own patterns.
    {} for a folder whose card lists no configs; what `datasets` would refuse is one error."""
    configs = front_matter(folder, source).get("configs")
    if not configs:
        return {}
    card = folder / "README.md"
    if not isinstance(configs, list):
        raise _card_error(
            source,
            card,
            f"lists configs: {json.dumps(configs)[:60]}, not a list of configs "
            "(each with a config_name and data_files)",
        )
    found = {}
    for config in configs:
        if not isinstance(config, dict) or not isinstance(config.get("config_name"), str):
            raise _card_error(source, card, f"lists a config without a config_name: {json.dumps(config)[:60]}")
        found[config["config_name"]] = _config_patterns(folder, config, source)
    return found


def _config_patterns(folder: Path, config: dict, source) -> dict[str, list[str]]:
    from datasets.data_files import EmptyDatasetError, get_data_patterns, sanitize_patterns

    name, files, data_dir = config["config_name"], config.get("data_files"), config.get("data_dir") or ""
    problem = _data_files_problem(files) or (None if isinstance(data_dir, str) else "data_dir is not a path")
    if problem:
        raise _card_error(source, folder / "README.md", f"config {name!r}: {problem}")
    if files is None:
        try:
            patterns = get_data_patterns(str(folder / data_dir))
        except (EmptyDatasetError, FileNotFoundError):
            raise _card_error(
                source,
                folder / "README.md",
                f"config {name!r} lists no data_files, and no file "
                f"under {data_dir or 'the folder'} is named after a split",
            ) from None
    else:
        patterns = sanitize_patterns(files)
    return {
        str(split): [p if os.path.isabs(p) else posixpath.join(data_dir, p) for p in paths]
        for split, paths in patterns.items()
    }


def _data_files_problem(files) -> str | None:
    """What `datasets` refuses in a config's data_files (MetadataConfigs._raise_if_data_files_field_not_valid,
    sanitize_patterns), in words; None for what it reads."""
    if files is None or isinstance(files, str):
        return None
    if not isinstance(files, list):
        return f"data_files is {json.dumps(files)[:40]}: give a path, a list of paths or a list of {{split, path}}"
    entries = [entry for entry in files if isinstance(entry, dict)]
    if entries and len(entries) < len(files) or not all(isinstance(e, (str, dict)) for e in files):
        return "data_files mixes paths and {split, path} entries, or holds something else: give one form"
    for entry in entries:
        if "split" not in entry:
            return f"data_files entry {json.dumps(entry)[:60]} has no split"
        paths = entry.get("path")
        paths = [paths] if isinstance(paths, str) else paths
        if set(entry) != {"split", "path"} or not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            return f"data_files entry {json.dumps(entry)[:60]} is not {{split, path}}, path a path or a list of them"
        if not isinstance(entry["split"], str) or not re.match(SPLIT_NAME, entry["split"]):
            return f"split {entry['split']!r} is not a split name (letters, digits and _, parts joined by .)"
    splits = [entry["split"] for entry in entries]
    if len(set(splits)) < len(splits):
        return f"data_files lists a split twice: {splits}"
    return None


def card_files(folder: Path, patterns: dict[str, list[str]], source) -> dict[str, list[Path]]:
    """Each split's parquet files, matched as `datasets` matches a card's patterns: relative to the
    folder, or absolute; `**` spans folders. A split that matches nothing is one error."""
    files = {}
    for split, split_patterns in patterns.items():
        matched = {
            Path(p)
            for pattern in split_patterns
            for p in glob.glob(str(folder / pattern), recursive=True)
            if not os.path.isdir(p)
        }
        files[split] = sorted(p for p in matched if p.name.endswith(".parquet"))
        if not files[split]:
            other = f" ({', '.join(sorted(p.name for p in matched))[:60]}: not parquet)" if matched else ""
            raise ParameterError(
                "source", str(source), f"lists {split} files {', '.join(split_patterns)} that are missing{other}"
            )
    return files


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
        configs.append(
            {"config_name": config, "data_files": [{"split": split, "path": f"{config}/{split}-*"} for split in files]}
        )
        infos.append(
            {
                "config_name": config,
                "splits": [
                    {
                        "name": split,
                        "num_bytes": sum(pq.read_table(f).nbytes for f in paths),
                        "num_examples": sum(pq.ParquetFile(f).metadata.num_rows for f in paths),
                    }
                    for split, paths in files.items()
                ],
                "download_size": sum(f.stat().st_size for paths in files.values() for f in paths),
            }
        )
    meta = yaml.safe_dump({"configs": configs, "dataset_info": infos}, sort_keys=False)
    (folder / "README.md").write_text(f"---\n{meta}---\n{body}", encoding="utf-8")


def _plain_groups(folder: Path) -> dict[str, tuple[dict[str, list[Path]], str | None]]:
    """For each task that plain parquet files in `folder` (or `folder/<task>/`) could hold:
    (its files per split, None) when every file fits the task's schema and the notebooks' splits
    are there, else (files, what is wrong). Every file's footer is read: one that cannot be is an error."""
    found = {}
    for root, tasks in [*((folder / t, [t]) for t in GLUE_TASKS if (folder / t).is_dir()), (folder, list(GLUE_TASKS))]:
        files = {}
        for split in ALL_SPLITS:
            matches = sorted(root.glob(f"{split}-*.parquet")) or sorted(root.glob(f"{split}.parquet"))
            if matches:
                files[split] = matches
        if not files:
            continue
        footers = _footers(files, folder)
        for task in tasks:
            info = GLUE_TASKS[task]
            if task in found and found[task][1] is None:
                continue  # a <task>/ folder that fits wins over the flat files
            mine = {split: files[split] for split in info.splits if split in files}
            found[task] = (mine, _schema_problem_in(info, mine, footers, folder) or _missing_splits(info, mine))
    return found


def _footers(files: dict[str, list[Path]], source) -> dict[Path, tuple]:
    """{file: (features, rows)} from each file's parquet footer: cheap, the rows are not read."""
    return {path: parquet_footer(path, source) for paths in files.values() for path in paths}


def parquet_footer(path: Path, source: Path) -> tuple:
    """A parquet file's features and row count, read from its footer alone (the rows are not read)."""
    import datasets
    import pyarrow.parquet as pq

    if path.is_symlink() and not path.exists():
        raise _card_error(source, path, f"is a link to {os.readlink(path)}, which does not exist")
    try:
        metadata = pq.read_metadata(path)
        return datasets.Features.from_arrow_schema(metadata.schema.to_arrow_schema()), metadata.num_rows
    except Exception as error:  # a truncated or foreign file: say which, in one line
        raise _card_error(
            source, path, f"is not a valid parquet file ({type(error).__name__}: {_first_line(error)})"
        ) from None


def _schema_problem_in(info: GlueTask, files: dict[str, list[Path]], footers: dict, source) -> str | None:
    """The first file not in the task's schema, and how it differs; None when all are."""
    for path in (path for paths in files.values() for path in paths):
        problem = schema_problem(info, footers[path][0])
        if problem:
            name = os.path.relpath(path, source) if path.is_relative_to(source) else short_path(path)
            return f"is not in the {info.name} schema: {name} {problem}"
    return None


def _missing_splits(info: GlueTask, files: dict[str, list[Path]]) -> str | None:
    missing = [split for split in info.run_splits if split not in files]
    if not missing:
        return None
    return (
        f"has {info.name} splits {list(files)}, but no {' or '.join(map(repr, missing))}: the notebooks "
        f"train on {info.train_split!r} and evaluate on {info.eval_split!r}"
    )


def _counts_problem(folder: Path, info: GlueTask, files: dict[str, list[Path]], footers: dict) -> str | None:
    """`datasets` checks the rows it reads against the card's dataset_info (verify_splits) and refuses
    a mismatch: the same check, from the footers."""
    from datasets.info import DatasetInfosDict

    try:
        infos = DatasetInfosDict.from_dataset_card_data(front_matter(folder))
        expected = infos[info.name].splits if info.name in infos else None
        said = {name: split.num_examples for name, split in (expected or {}).items()}
    except Exception as error:  # noqa: BLE001  (any shape `datasets` cannot read: say so, in one line)
        return f"has a README.md whose dataset_info `datasets` cannot read ({_first_line(error)})"
    rows = {split: sum(footers[path][1] for path in paths) for split, paths in files.items()}
    if said and said != rows:
        return (
            f"has a README.md whose dataset_info gives {info.name} rows {said}, but its files hold {rows}; "
            "`datasets` refuses such a folder: correct the card (its splits and num_examples) or the files"
        )
    return None


def schema_problem(info: GlueTask, features) -> str | None:
    """None when the features are the task's (text columns, label type, idx); else what differs."""
    expected = info.features()
    missing = [c for c in expected if c not in features]
    if missing:
        return f"has columns {list(features)}, but {info.name} needs {list(expected)}"
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

    listing = [
        (task, split, str(f), f.stat().st_size, f.stat().st_mtime_ns)
        for task, splits in matched.items()
        for split, files in splits.items()
        for f in files
    ]
    key = hashlib.sha1(json.dumps(listing).encode()).hexdigest()[:16]
    view = Path(constants.HF_HOME) / "course-companion" / "views" / key / "glue"
    if (view / "README.md").is_file():
        return view
    with built_beside(view) as staging:
        for task, splits in matched.items():
            (staging / task).mkdir()
            for split, files in splits.items():
                for number, path in enumerate(files):
                    (staging / task / f"{split}-{number:05d}-of-{len(files):05d}.parquet").symlink_to(path.resolve())
        write_dataset_card(staging, f"A view of the parquet files in {folder}, made by the course companion.\n")
    return view


def check_task_source(task: str, source) -> GlueTask:
    """The task's row, once it is known that `source` serves it in the task's schema (in seconds,
    without reading the rows); else one ParameterError saying what the source holds instead."""
    info, source = get_task(task), check_source(source)
    if source in KEYWORDS:
        _check_keyword_source(info, task, source)
    else:
        _check_folder(info, Path(source))
    return info


def _check_keyword_source(info: GlueTask, task: str, source: str) -> None:
    """'auto', 'hub' or 'sample' serves the task: from the Hub or its cache, or the embedded sample."""
    found = _resolve_dataset(source)
    if found.target == HUB_DATASET:
        status = hub_status()
        if not status.online and info.name not in cached_configs():
            raise ParameterError(
                "task",
                task,
                f"is not in the local cache of {HUB_DATASET} (it holds "
                f"{', '.join(cached_configs())}) and the Hub is unavailable "
                f"({status.reason}); use source='sample' for MRPC, or a classroom bundle",
            )
    elif info.name not in card_configs(SAMPLE_REPO):
        where = "" if source == "sample" else f" (the Hub is unavailable: {hub_status().reason})"
        raise ParameterError(
            "task",
            task,
            f"is not in the embedded sample, which holds MRPC only{where}; "
            "where the Hub is reachable, run `python -m helpers bundle --tasks "
            f"{info.name} --out DIR`, then pass source=DIR",
        )


def hub_shaped_folder(folder: Path) -> Path | None:
    """The folder (a bundle's nyu-mll/glue/, or the folder itself) whose dataset card lists configs."""
    return next((c for c in (folder / HUB_DATASET, folder) if card_configs(c, folder)), None)


def _check_folder(info: GlueTask, folder: Path) -> None:
    """The folder serves the task as the notebooks load it: its manifest and card readable, the
    splits they read present, every file of the task a parquet file in its schema, the card's row
    counts those of the files (from the footers: in seconds). Else one error naming the folder."""
    read_manifest(folder)
    hub_shaped = hub_shaped_folder(folder)
    if hub_shaped is None:
        groups = _plain_groups(folder)
        if info.name not in groups:
            raise ParameterError("source", str(folder), f"holds no {info.name} data; expected {SOURCES_HELP}")
        problem = groups[info.name][1]
    else:
        configs = card_configs(hub_shaped, folder)
        if info.name not in configs:
            raise ParameterError("source", str(folder), f"holds no {info.name} data (it holds: {', '.join(configs)})")
        files = card_files(hub_shaped, configs[info.name], folder)
        footers = _footers(files, folder)
        problem = (
            _missing_splits(info, files)
            or _schema_problem_in(info, files, footers, folder)
            or _counts_problem(hub_shaped, info, files, footers)
        )
    if problem:
        raise ParameterError("source", str(folder), problem)


# ---- checkpoints ------------------------------------------------------------------------------


def _resolve_model(name: str, source: str, note: str = "", build: bool = True) -> Located:
    standin = standin_folder if build else standin_path
    if source == "sample":
        if name not in STANDINS:
            raise ParameterError(
                "checkpoint", name, f"has no offline stand-in; with source='sample' use one of: {', '.join(STANDINS)}"
            )
        return Located(name, str(standin(name)), STANDINS[name].describe())
    if source in ("hub", "auto"):
        status = configure_libraries()
        why = note + status.reason
        if status.online:
            return Located(name, name, say("source.hub"), why)
        if model_is_cached(name):
            return Located(name, name, say("source.cache"), why)
        if source == "hub" or name not in STANDINS:
            raise ParameterError(
                "checkpoint",
                name,
                f"is neither reachable ({why}) nor in the local cache. "
                f"Offline, stand-ins exist for: {', '.join(STANDINS)}; or pass a classroom "
                "bundle (`python -m helpers bundle`) as source",
            )
        return Located(name, str(standin(name)), STANDINS[name].describe(), say("source.hub_unavailable", reason=why))
    folder = Path(source)
    manifest = read_manifest(folder)
    if (folder / name / "config.json").is_file():
        what = ((manifest or {}).get("models") or {}).get(name, {}).get("from")
        return Located(name, str(folder / name), _folder_what(folder / name, manifest, what))
    held = bundled_models(folder)
    if held or (manifest or {}).get("models"):
        raise ParameterError(
            "checkpoint", name, f"is not in {short_path(folder)}, which holds: {', '.join(held) or 'no model folder'}"
        )
    return _resolve_model(name, "auto", note=say("source.data_only") + "; ", build=build)


def model_is_cached(name: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(name, "config.json"), str)


def bundled_models(folder: Path) -> list[str]:
    """Model folders kept under their Hub names: `name/` or `org/name/`, each with a config.json."""
    return sorted(
        str(p.parent.relative_to(folder))
        for pattern in ("*/config.json", "*/*/config.json")
        for p in folder.glob(pattern)
    )


def train_rows(task: str, source) -> int:
    """Rows in the task's training split, from the parquet footers where the files are local."""
    import pyarrow.parquet as pq

    info = get_task(task)
    found = _resolve_dataset(check_source(source))
    if found.target == HUB_DATASET:  # the Hub or its cache: what `datasets` itself counts
        from datasets import load_dataset

        from ..report import quiet_libraries

        decided = hub_status()
        try:
            with quiet_libraries():
                return load_dataset(HUB_DATASET, info.name, split=info.train_split).num_rows
        except Exception:
            if hub_status() == decided:  # not the network changing under the check
                raise
            # The Hub failed after answering the check (hub.guard_requests switched offline mode on):
            # count what the source serves now, checked again, as a kernel started now will see it.
            check_task_source(task, source)
            return train_rows(task, source)
    folder = Path(found.target)
    patterns = card_configs(folder)[info.name]
    files = card_files(folder, {info.train_split: patterns[info.train_split]}, folder)[info.train_split]
    return sum(pq.read_metadata(f).num_rows for f in files)
