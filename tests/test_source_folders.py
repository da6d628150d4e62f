"""Local folders given as `source` that the libraries cannot load are refused by the up-front check,
in one line naming the folder and what is wrong, before any notebook starts; forms `datasets`
reads are read the same way. Each bad folder is the embedded sample, copied and broken."""

import json
import os
import shutil

import pytest
from datasets import load_dataset

import helpers
from helpers.offline import sources
from helpers.running.cli import main

SAMPLE_ROWS = {"train": 208, "validation": 23, "test": 98}


@pytest.fixture
def glue(tmp_path):
    """A Hub-shaped copy of the embedded sample: README.md (configs and dataset_info) and mrpc/."""
    folder = tmp_path / "glue"
    shutil.copytree(sources.SAMPLE_REPO, folder)
    return folder


def _card(folder, configs: str, keep_info: bool = True) -> None:
    """Replace the card's `configs:` (YAML text); keep its dataset_info, or drop it."""
    text = (folder / "README.md").read_text(encoding="utf-8")
    info = "dataset_info:" + text.split("dataset_info:", 1)[1] if keep_info else "---\n"
    (folder / "README.md").write_text(f"---\n{configs}{info}", encoding="utf-8")


def _refused(folder, message: str) -> str:
    """The check's one line; it names the folder."""
    with pytest.raises(helpers.ParameterError) as error:
        sources.check_task_source("mrpc", folder)
    text = str(error.value)
    assert text.startswith(f"source={str(folder)!r}: ") and message in text, text
    assert len(text.splitlines()) == 1
    return text


@pytest.mark.parametrize("layout", ["hub_shaped", "plain"])
def test_a_corrupt_validation_file_beside_a_good_train_file(glue, layout):
    folder = glue if layout == "hub_shaped" else glue / "mrpc"
    validation = glue / "mrpc" / "validation-00000-of-00001.parquet"
    validation.write_bytes(validation.read_bytes()[:4000])  # cut short: no footer
    name = "mrpc/validation-00000-of-00001.parquet" if layout == "hub_shaped" else validation.name
    _refused(folder, f"{name} is not a valid parquet file (ArrowInvalid: Parquet magic bytes not found in footer")


def test_configs_that_are_not_a_list(glue):
    _card(glue, "configs: 5\n")
    _refused(glue, "README.md lists configs: 5, not a list of configs (each with a config_name and data_files)")


@pytest.mark.parametrize("data_files", ['["mrpc/train-*"]', '"mrpc/train-*"'])
def test_data_files_as_paths_are_one_train_split_as_datasets_reads_them(glue, data_files):
    """`datasets` puts a path or a list of paths in one 'train' split (sanitize_patterns): read so,
    the folder has no validation split, which the notebooks need."""
    _card(glue, f"configs:\n- config_name: mrpc\n  data_files: {data_files}\n", keep_info=False)
    assert sources.card_configs(glue) == {"mrpc": {"train": ["mrpc/train-*"]}}
    loaded = load_dataset(str(glue), "mrpc")
    assert {split: part.num_rows for split, part in loaded.items()} == {"train": 208}  # the same reading
    _refused(
        glue,
        "has mrpc splits ['train'], but no 'validation': the notebooks train on 'train' and evaluate on 'validation'",
    )


def test_absolute_paths_in_a_card_are_read_as_datasets_reads_them(glue):
    entries = "".join(f"  - split: {split}\n    path: {glue}/mrpc/{split}-*\n" for split in SAMPLE_ROWS)
    _card(glue, f"configs:\n- config_name: mrpc\n  data_files:\n{entries}")
    assert sources.check_task_source("mrpc", glue).name == "mrpc"
    loaded = load_dataset(helpers.locate("nyu-mll/glue", glue), "mrpc")
    assert {split: part.num_rows for split, part in loaded.items()} == SAMPLE_ROWS
    assert sources.train_rows("mrpc", glue) == 208


def test_a_config_without_data_files_finds_splits_by_file_name(glue):
    """As `datasets` does (get_data_patterns): train-*, validation-*, test-* under data_dir."""
    _card(glue, "configs:\n- config_name: mrpc\n  data_dir: mrpc\n")
    assert sources.check_task_source("mrpc", glue).name == "mrpc"
    loaded = load_dataset(helpers.locate("nyu-mll/glue", glue), "mrpc")
    assert {split: part.num_rows for split, part in loaded.items()} == SAMPLE_ROWS


@pytest.mark.parametrize(
    "entry, problem",
    [
        ("  - path: mrpc/train-*\n", 'data_files entry {"path": "mrpc/train-*"} has no split'),
        ("  - split: train-set\n    path: mrpc/train-*\n", "split 'train-set' is not a split name"),
        (
            "  - split: train\n    path: mrpc/train-*\n  - split: train\n    path: mrpc/test-*\n",
            "data_files lists a split twice: ['train', 'train']",
        ),
    ],
)
def test_data_files_entries_datasets_refuses(glue, entry, problem):
    _card(glue, f"configs:\n- config_name: mrpc\n  data_files:\n{entry}")
    _refused(glue, f"README.md config 'mrpc': {problem}")


def test_a_card_that_is_not_utf8(glue):
    card = glue / "README.md"
    card.write_bytes(card.read_text(encoding="utf-8").replace("# An MRPC", "# Un caf\u00e9 MRPC").encode("latin-1"))
    _refused(glue, "README.md is not UTF-8 text (byte 0xe9 at offset ")


def test_a_card_whose_front_matter_is_not_yaml(glue):
    _card(glue, "configs: [unclosed\n")
    _refused(glue, "README.md has front matter that is not YAML (")


@pytest.mark.parametrize("layout", ["hub_shaped", "plain"])
def test_a_dangling_symlink_among_the_data_files(glue, layout, tmp_path):
    test = glue / "mrpc" / "test-00000-of-00001.parquet"
    test.unlink()
    test.symlink_to(tmp_path / "gone.parquet")
    folder = glue if layout == "hub_shaped" else glue / "mrpc"
    name = "mrpc/" + test.name if layout == "hub_shaped" else test.name
    _refused(folder, f"{name} is a link to {tmp_path / 'gone.parquet'}, which does not exist")


@pytest.mark.parametrize("layout", ["hub_shaped", "plain"])
def test_no_validation_split(glue, layout):
    (glue / "mrpc" / "validation-00000-of-00001.parquet").unlink()
    if layout == "hub_shaped":
        _card(
            glue,
            "configs:\n- config_name: mrpc\n  data_files:\n  - split: train\n    path: mrpc/train-*\n"
            "  - split: test\n    path: mrpc/test-*\n",
            keep_info=False,
        )
    folder = glue if layout == "hub_shaped" else glue / "mrpc"
    _refused(
        folder,
        "has mrpc splits ['train', 'test'], but no 'validation': the notebooks train on 'train' "
        "and evaluate on 'validation'",
    )


def test_ax_needs_only_its_test_split(task_folder):
    folder, _ = task_folder("ax")
    assert sources.check_task_source("ax", folder).run_splits == ("test",)


def test_a_card_whose_row_counts_are_not_the_files(glue):
    """`datasets` compares the card's dataset_info with the rows it reads and refuses a mismatch."""
    card = glue / "README.md"
    card.write_text(
        card.read_text(encoding="utf-8").replace("num_examples: 208", "num_examples: 207"), encoding="utf-8"
    )
    _refused(
        glue,
        "has a README.md whose dataset_info gives mrpc rows {'train': 207, 'validation': 23, "
        "'test': 98}, but its files hold {'train': 208, 'validation': 23, 'test': 98}",
    )


@pytest.mark.parametrize(
    "manifest, problem",
    [
        ([1, 2], "a JSON list, not an object"),
        ({"datasets": [1]}, '"datasets" is not an object of datasets, each an object of tasks'),
        ({"datasets": {"nyu-mll/glue": {"mrpc": "hub"}}}, 'an entry is "hub", not an object with a "from" text'),
        ({"models": ["bert-base-uncased"]}, '"models" is a JSON list, not an object of models'),
        ({"models": {"bert-base-uncased": {"from": 3}}}, 'an entry is {"from": 3}, not an object with a "from" text'),
    ],
)
def test_a_manifest_of_the_wrong_shape(tmp_path, manifest, problem):
    bundle = tmp_path / "bundle"
    shutil.copytree(sources.SAMPLE_REPO, bundle / "nyu-mll" / "glue")
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    message = f"its manifest.json could not be read ({problem}); rebuild the bundle"
    _refused(bundle, message)
    with pytest.raises(helpers.ParameterError, match="manifest.json could not be read"):
        helpers.locate("bert-base-uncased", bundle)  # the checkpoint's look-up reads it too


def test_the_command_line_refuses_before_the_first_notebook(capsys, glue, tmp_path):
    (glue / "mrpc" / "validation-00000-of-00001.parquet").write_bytes(b"PAR1 not parquet")
    out = tmp_path / "out"
    code = main(["run", "01", "02", "-p", "source", str(glue), "--out", str(out)])
    stdout, stderr = capsys.readouterr()
    assert code == 2 and not out.exists() and "Running" not in stdout
    assert stderr.splitlines() == [
        f"error: source={str(glue)!r}: mrpc/validation-00000-of-00001.parquet is not a "
        "valid parquet file (ArrowInvalid: Parquet magic bytes not found in footer. "
        "Either the file is corrupted or this is not a parquet file.)"
    ]
    assert os.listdir(tmp_path) == ["glue"]
