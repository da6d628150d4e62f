"""Load a GLUE pair task from the Hub, a local folder, or the embedded MRPC-style sample."""

import csv
from pathlib import Path

import datasets

from .errors import ParameterError
from .hub import hub_status
from .report import record
from .tasks import HUB_DATASET, GlueTask, get_task

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
SAMPLE_TSV = SAMPLE_DIR / "mrpc_pairs.tsv"
SAMPLE_PARQUET_DIR = SAMPLE_DIR / "mrpc"
SOURCES_HELP = ("'auto', 'hub', 'sample', or a local folder: parquet files in the Hub's layout "
                "(<split>-*.parquet or <task>/<split>-*.parquet) or a DatasetDict.save_to_disk folder")


def load_glue(task: str = "mrpc", source: str = "auto") -> datasets.DatasetDict:
    """A GLUE pair task as a DatasetDict with the Hub's schema, and one line saying where it came from.

    source: "hub" (`load_dataset("nyu-mll/glue", task)`), "sample" (the project's own MRPC-style
    pairs), a local folder, or "auto": the Hub when it is reachable or the task is in the local
    Hugging Face cache, otherwise the sample. Only "auto" falls back.
    """
    info = get_task(task)
    if not isinstance(source, str) or not source:
        raise ParameterError("source", source, f"pass {SOURCES_HELP}")
    if source == "sample":
        raw, why = load_sample(info), "asked for"
    elif source in ("hub", "auto"):
        status = hub_status()
        try:
            raw = datasets.load_dataset(HUB_DATASET, info.name)
            where = HUB_DATASET if status.online else f"{HUB_DATASET} from the local cache"
            _say(info, raw, where, status.reason)
            return raw
        except Exception as error:  # offline and not cached, or the Hub failed
            if source == "hub":
                raise ParameterError("source", source, f"{HUB_DATASET}/{info.name} could not be loaded "
                                     f"({status.reason}; {_first_line(error)}); use source='auto' to fall "
                                     "back to the embedded sample, or a local folder") from None
            if info.name != "mrpc":
                raise ParameterError("task", task, f"is not available offline ({status.reason}) and the "
                                     "embedded sample is MRPC only; where the Hub is reachable, run "
                                     f"`python -m helpers bundle --tasks {info.name} --out DIR`, then pass "
                                     "source=DIR") from None
            raw, why = load_sample(info), f"the Hub is unavailable: {status.reason}"
    else:
        raw = load_local(source, info)
        _say(info, raw, "local folder", "asked for")
        return raw
    _say(info, raw, "embedded sample (original MRPC-style pairs, not the real corpus)", why)
    return raw


def _say(info: GlueTask, raw: datasets.DatasetDict, where: str, why: str) -> None:
    record("data_source", f"{where} [{why}]", label="Data source")
    record("rows", {split: raw[split].num_rows for split in raw}, label=f"{info.name} rows")


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


def load_sample(info: GlueTask | str = "mrpc") -> datasets.DatasetDict:
    info = get_task(info) if isinstance(info, str) else info
    if info.name != "mrpc":
        raise ParameterError("source", "sample", f"the embedded sample holds MRPC only, not {info.name!r}; "
                             "use source='hub' or a local folder (see `python -m helpers bundle --help`)")
    return _load_parquet(SAMPLE_PARQUET_DIR, info)


def _split_files(folder: Path, info: GlueTask) -> dict[str, list[str]]:
    files = {}
    for split in info.splits:
        found = sorted(folder.glob(f"{split}-*.parquet")) or sorted(folder.glob(f"{split}.parquet"))
        if found:
            files[split] = [str(f) for f in found]
    return files


def _load_parquet(folder: Path, info: GlueTask) -> datasets.DatasetDict:
    # Splits mapped explicitly: inferred splits know only train/validation/test (MNLI has more).
    return datasets.load_dataset("parquet", data_files=_split_files(folder, info))


def load_local(source, info: GlueTask) -> datasets.DatasetDict:
    """A local folder in the Hub's layout, for classrooms without network and for the real corpus."""
    folder = Path(source).expanduser()
    if not folder.is_dir():
        raise ParameterError("source", source, f"no such folder; pass {SOURCES_HELP}")
    try:
        for candidate in (folder / info.name, folder):
            if (candidate / "dataset_dict.json").is_file():
                raw = datasets.load_from_disk(str(candidate))
                break
            if _split_files(candidate, info):
                raw = _load_parquet(candidate, info)
                break
        else:
            raise ParameterError("source", source, f"holds no {info.name} data; expected {SOURCES_HELP}")
    except ParameterError:
        raise
    except Exception as error:
        raise ParameterError("source", source, f"could not be read as {info.name} data "
                             f"({_first_line(error)})") from None
    if not isinstance(raw, datasets.DatasetDict):
        raise ParameterError("source", source, "holds a single Dataset, not a DatasetDict of splits")
    for split, part in raw.items():
        missing = [c for c in info.columns if c not in part.column_names]
        if missing:
            raise ParameterError("source", source, f"is not in the {info.name} schema: split {split!r} has "
                                 f"columns {part.column_names}, {info.name} needs {list(info.columns)}")
    if info.train_split not in raw:
        raise ParameterError("source", source, f"has splits {list(raw)}, but {info.name} needs "
                             f"{info.train_split!r}")
    return raw


def sample_features() -> datasets.Features:
    """The Hub's MRPC features, which the sample's parquet files carry in their metadata."""
    return datasets.Features({
        "sentence1": datasets.Value("string"),
        "sentence2": datasets.Value("string"),
        "label": datasets.ClassLabel(names=list(get_task("mrpc").label_names)),
        "idx": datasets.Value("int32"),
    })


def read_sample_tsv(path: Path = SAMPLE_TSV) -> dict[str, list[dict]]:
    """The sample's source text: one pair per line (split, label, sentence1, sentence2)."""
    rows: dict[str, list[dict]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows.setdefault(row["split"], []).append(row)
    return rows


def build_sample(tsv: Path = SAMPLE_TSV, out_dir: Path = SAMPLE_PARQUET_DIR) -> dict[str, int]:
    """Write the sample's parquet files, in the Hub's layout, from its TSV source."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for split, rows in read_sample_tsv(tsv).items():
        part = datasets.Dataset.from_dict({
            "sentence1": [r["sentence1"] for r in rows],
            "sentence2": [r["sentence2"] for r in rows],
            "label": [int(r["label"]) for r in rows],
            "idx": list(range(len(rows))),
        }, features=sample_features())
        part.to_parquet(str(out_dir / f"{split}-00000-of-00001.parquet"))
        counts[split] = len(rows)
    return counts
