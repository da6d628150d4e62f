"""The embedded sample: original MRPC-style pairs, kept as a folder shaped like the Hub's nyu-mll/glue.

`sample_data/mrpc_pairs.tsv` is the source text (one pair per line: split, label, sentence1,
sentence2); `python -m helpers build-sample` writes `sample_data/glue/mrpc/<split>-*.parquet` with
the Hub's features and the dataset card that lets `load_dataset(folder, "mrpc")` find them.
"""

import csv
from pathlib import Path

from ..tasks import get_task
from .sources import SAMPLE_REPO, write_dataset_card

SAMPLE_TSV = SAMPLE_REPO.parent / "mrpc_pairs.tsv"
CARD_BODY = """
# An MRPC-style sample for the course companion

Original sentence pairs written for this project (news-style writing on business, courts,
science, sport, politics and technology), in the schema, features and split proportions of
GLUE's MRPC. It is **not** the Microsoft Research Paraphrase Corpus: figures computed on it
differ from the course's. Source text: `../mrpc_pairs.tsv`.
"""


def read_sample_tsv(path: Path = SAMPLE_TSV) -> dict[str, list[dict]]:
    """The sample's source text, by split."""
    rows: dict[str, list[dict]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows.setdefault(row["split"], []).append(row)
    return rows


def build_sample(tsv: Path = SAMPLE_TSV, repo: Path = SAMPLE_REPO) -> dict[str, int]:
    """Write the sample's parquet files and dataset card from its TSV source."""
    import datasets

    info = get_task("mrpc")
    (repo / info.name).mkdir(parents=True, exist_ok=True)
    counts = {}
    for split, rows in read_sample_tsv(tsv).items():
        part = datasets.Dataset.from_dict(
            {
                "sentence1": [r["sentence1"] for r in rows],
                "sentence2": [r["sentence2"] for r in rows],
                "label": [int(r["label"]) for r in rows],
                "idx": list(range(len(rows))),  # GLUE numbers the rows of each split from 0
            },
            features=info.features(),
        )
        part.to_parquet(str(repo / info.name / f"{split}-00000-of-00001.parquet"))
        counts[split] = len(rows)
    write_dataset_card(repo, CARD_BODY)
    return counts
