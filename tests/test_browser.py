"""What learners see: JupyterLab in a real headless Chromium opens each notebook, and runs every cell of
those whose run shows something only a browser shows (RUN_IN_BROWSER).

The server runs from this environment on 127.0.0.1 with a token, in a temporary copy of the notebooks
(the stored ones are never touched), with its own config and settings folders: no news pop-up, no
update check. Chromium is Debian's (setup.sh installs it); Playwright drives it over the DevTools
port, so no browser is ever downloaded. Both processes are started here and stopped here, by pid.
Screenshots land in test-artifacts/browser/, one full-length PNG per notebook, and the padding
explorer of notebook 4 before and after the test moves its controls.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from helpers.classroom.reading import noise
from helpers.language import message
from helpers.report import RECORD_KEY
from helpers.running.runner import list_notebooks, notebook_folder

pytestmark = pytest.mark.notebooks
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"
LAPTOP = {"width": 1280, "height": 800}
# The notebooks whose run shows something only a browser shows, and what: the others are opened and
# their stored outputs checked as drawn (nbval runs every notebook, and compares what it shows with
# the stored copy: conftest.py).
RUN_IN_BROWSER = {
    "03_batched_map": "Map progress bars drawn as widgets",
    "04_dynamic_padding": "the padding explorer's controls, moved",
}  # 01's section and answer are opened by clicks as it opens (no run needed); 07's processes forked
# from a kernel: nbval's kernel runs it cell by cell on every test run, tests/test_kernel_runs.py
# "Run All", twice in one kernel
# Lighter timing cells: this test checks what a learner sees, not how fast the machine is.
LIGHTER = {
    "02_pair_tokenization": "memory_rows = 1000",
    "03_batched_map": "bench_rows = 400",
    "06_padding_lab": "steps = 1",
    "07_multiple_processes": "steps = 2\nbatch_size = 4",
}
# A few outputs each notebook must show as text, beside the figures every stored run recorded.
KEY_TEXT = {
    "01_loading_mrpc": [
        "loss on the two sentences",
        "DatasetDict",
        "ClassLabel(names=['not_equivalent', 'equivalent'])",
        "mrpc rows:",
    ],
    "02_pair_tokenization": [
        "[CLS]",
        "[SEP]",
        "largest difference in the logits",
        "text input must be of type",
        "15 tokens: 8 with token_type_ids 0, 7 with 1; 3 special",
        "as a pair: ",
    ],
    "03_batched_map": ["examples/s", "batched=True was", "num_proc=2"],
    "04_dynamic_padding": [
        "collated input_ids shape: [8, ",
        "same as DataCollatorWithPadding: True",
        "the same pairs in both: True",
    ],
    "05_adamw_step": ["loss on this batch:", "LOAD REPORT from: ", "tensors changed"],
    "06_padding_lab": ["as fast as", "length_grouped", "packing could save at most"],
    "07_multiple_processes": ["MULTI_CPU", "gather_for_metrics returned each pair once, in order: True"],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer in {seconds} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    """Stop a process we started, and its process group, by its own pid."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _lighter_copy(notebook: Path, folder: Path) -> None:
    nb = nbformat.read(str(notebook), as_version=4)
    if notebook.stem in LIGHTER:
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        cell.source += f"\n{LIGHTER[notebook.stem]}  # the browser test's lighter setting"
    nbformat.write(nb, str(folder / notebook.name))


def _quiet_lab_settings(home: Path) -> tuple[Path, Path]:
    """JupyterLab's config and user-settings folders: no news pop-up, no update check."""
    config, settings = home / "config", home / "settings"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return config, settings


def _start_chromium(home: Path, cdp_port: int, log: Path) -> subprocess.Popen:
    """Debian's Chromium, headless, driven over its DevTools port; in a process group of its own."""
    return subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={home / 'chromium'}",
            "--remote-debugging-address=127.0.0.1",
            f"--remote-debugging-port={cdp_port}",
            "about:blank",
        ],
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _start_lab(home: Path, notebooks: Path, port: int, token: str, log: Path) -> subprocess.Popen:
    """JupyterLab from this environment on 127.0.0.1, quiet (no news, no update check), in a process
    group of its own."""
    config, settings = _quiet_lab_settings(home)
    # A learner's environment (the tests set no display settings: tests/test_learner_path.py), offline
    # and on the test cache.
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_DATA_DIR=str(home / "data"),
        IPYTHONDIR=str(home / "ipython"),
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={notebooks}",
            f"--IdentityProvider.token={token}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
        ]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        env=env,
        cwd=notebooks,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab page in a Chromium, served from a temporary copy of the notebooks; both processes ours."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"no Chromium at {CHROMIUM}: run setup.sh as root (it installs Debian's chromium), "
            "or set CHROMIUM to a Chromium binary"
        )
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("lab")
    notebooks = home / "notebooks"
    notebooks.mkdir()
    for notebook in list_notebooks():
        _lighter_copy(notebook, notebooks)
    (notebooks / "ko").mkdir()
    for notebook in list_notebooks(folder=notebook_folder("ko")):
        _lighter_copy(notebook, notebooks / "ko")
    token, port, cdp_port = "browser-test-token", _free_port(), _free_port()
    server_log, browser_log = home / "server.log", home / "chromium.log"
    server = _start_lab(home, notebooks, port, token, server_log)
    browser = _start_chromium(home, cdp_port, browser_log)
    playwright = None
    try:
        _wait_for(f"http://127.0.0.1:{port}/api/status?token={token}", server, server_log)
        _wait_for(f"http://127.0.0.1:{cdp_port}/json/version", browser, browser_log)
        playwright = sync_playwright().start()
        context = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{cdp_port}").contexts[0]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page = context.new_page()
        page.set_viewport_size(LAPTOP)
        # a workspace of its own: JupyterLab's default layout, not what an earlier run left open
        page.goto(f"http://127.0.0.1:{port}/lab/workspaces/browser-test?reset&token={token}")
        page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
        page.evaluate("() => jupyterapp.restored.then(() => true)")  # every plugin started, layout restored
        yield page
    finally:
        if playwright:
            playwright.stop()
        _stop(browser)
        _stop(server)
    assert server.poll() is not None and browser.poll() is not None


# JavaScript run in the page; `jupyterapp` is exposed by --LabApp.expose_app_in_browser.
KERNEL_IDLE = """name => {
    const panel = window.jupyterapp && jupyterapp.shell.currentWidget;
    const kernel = panel && panel.context && panel.context.path.endsWith(name + '.ipynb')
        && panel.sessionContext.session && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle';
}"""
RUN_ALL = """() => {
    window.runAllResult = null;
    jupyterapp.commands.execute('notebook:run-all-cells').then(ok => { window.runAllResult = ok; });
}"""
CELLS = """() => jupyterapp.shell.currentWidget.content.widgets
    .filter(cell => cell.model.type === 'code')
    .map(cell => ({count: cell.model.executionCount, outputs: cell.model.outputs.toJSON(),
                   tags: cell.model.getMetadata('tags') || []}))"""
IMAGES = """() => {
    const panel = jupyterapp.shell.currentWidget.node;
    const page = panel.querySelector('.jp-Notebook').clientWidth;
    return [...panel.querySelectorAll('.jp-OutputArea-output img')].map(
        img => ({loaded: img.complete && img.naturalWidth > 0, width: img.getBoundingClientRect().width, page}));
}"""
# The page height that shows the whole notebook: down to its last cell's bottom (scrollHeight would add
# the notebook's scroll-past-end margin, which grows with the window). Cells JupyterLab has not drawn yet
# (content-visibility) count at an estimated height, so the test grows the window until this stops changing.
FULL_HEIGHT = """() => {
    const scroller = jupyterapp.shell.currentWidget.node.querySelector('.jp-WindowedPanel-outer');
    scroller.scrollTop = 0;  // run-all leaves the view at the last cell; the picture starts at the top
    const cells = scroller.querySelectorAll('.jp-Cell');
    const bottom = cells[cells.length - 1].getBoundingClientRect().bottom - scroller.getBoundingClientRect().top;
    return Math.ceil(bottom + 40 + (window.innerHeight - scroller.clientHeight));
}"""
CLOSE = """() => {
    const panel = jupyterapp.shell.currentWidget;
    if (panel && panel.sessionContext) { panel.sessionContext.shutdown(); panel.dispose(); }
}"""


def _drive_explorer(page) -> dict:
    """Notebook 4's padding explorer, live: choose another strategy, then step the batch-size slider;
    each time the picture (its image's src) and the numbers (their text), the two outputs below the
    controls, must change."""
    from playwright.sync_api import expect

    explorer = page.locator(".padding-explorer")
    expect(explorer).to_have_count(1, timeout=30_000)
    cell = page.locator(".jp-CodeCell", has=explorer)
    cell.scroll_into_view_if_needed()
    image, numbers = cell.locator(".jp-OutputArea-output img"), cell.locator(".jp-OutputArea-output pre").first
    expect(image).to_have_attribute("src", re.compile("."), timeout=30_000)
    cell.screenshot(path=str(ARTIFACTS / "04_explorer_default.png"))
    seen = [(image.get_attribute("src"), numbers.inner_text())]
    moves = [
        (
            "strategy dropdown",
            lambda: explorer.locator(".padding-explorer-strategy select").select_option("length_grouped"),
        ),
        (
            "batch_size slider",
            lambda: (
                explorer.locator(".padding-explorer-batch-size .noUi-handle").focus(),
                page.keyboard.press("ArrowRight"),
            ),
        ),
    ]
    seconds = {}
    for name, move in moves:
        started = time.monotonic()
        move()
        expect(image).not_to_have_attribute("src", seen[-1][0], timeout=10_000)
        expect(numbers).not_to_have_text(seen[-1][1], timeout=10_000)
        seconds[name] = round(time.monotonic() - started, 2)
        seen.append((image.get_attribute("src"), numbers.inner_text()))
    cell.screenshot(path=str(ARTIFACTS / "04_explorer_moved.png"))
    return {"texts": [text for _, text in seen], "seconds": seconds}


# The first deeper section and the first worked answer of the open notebook: collapsed or not.
FOLDS = """() => {
    const cells = jupyterapp.shell.currentWidget.content.widgets;
    const heading = cells.findIndex(c => c.model.type === 'markdown'
        && c.model.sharedModel.getSource().startsWith('## Going further'));
    const answer = cells.findIndex(c => (c.model.getMetadata('tags') || []).includes('solution'));
    return {heading, answer, headingCollapsed: cells[heading].headingCollapsed,
            firstUnderHidden: cells[heading + 1].isHidden,
            inputHidden: cells[answer].inputHidden, outputHidden: cells[answer].outputHidden};
}"""


def _unfold(page) -> dict:
    """Open the first collapsed section and the first hidden answer by clicking, as a learner does;
    returns the state before and after, and the answer's text as the page shows it."""
    before = page.evaluate(FOLDS)
    cells = page.locator(".jp-Notebook .jp-Cell")
    page.evaluate(SCROLL_TO, before["heading"])
    heading = cells.nth(before["heading"])
    heading.hover()  # JupyterLab shows the heading's buttons under the pointer
    shown = heading.locator(".jp-showHiddenCellsButton")  # "N cells hidden", below a collapsed heading
    (shown if shown.count() and shown.is_visible() else heading.locator(".jp-collapseHeadingButton")).click()
    page.wait_for_function(
        "h => !jupyterapp.shell.currentWidget.content.widgets[h + 1].isHidden", arg=before["heading"], timeout=10_000
    )
    page.evaluate(SCROLL_TO, before["answer"])
    answer = cells.nth(before["answer"])
    answer.locator(".jp-InputPlaceholder").click()
    page.wait_for_function(
        "a => !jupyterapp.shell.currentWidget.content.widgets[a].inputHidden", arg=before["answer"], timeout=10_000
    )
    answer.screenshot(path=str(ARTIFACTS / "01_answer_shown.png"))
    return {
        "before": before,
        "after": page.evaluate(FOLDS),
        "answer_text": answer.locator(".jp-InputArea-editor").inner_text(),
    }


# Bring a cell into view (JupyterLab draws only the cells near the view).
SCROLL_TO = """i => jupyterapp.shell.currentWidget.content.scrollToItem(i, 'center').then(() => true)"""


# What the test does in a notebook after running it and taking its picture: {notebook: function(page)}.
INTERACT = {"04_dynamic_padding": _drive_explorer}


def _text(outputs: list[dict]) -> str:
    parts = []
    for output in outputs:
        if "text" in output:
            parts.append("".join(output["text"]))
        for mime in ("text/plain", "text/html"):
            parts.append("".join(output.get("data", {}).get(mime, "")))
        if output["output_type"] == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
    return "\n".join(parts)


def _stored(notebook: Path) -> tuple[int, list[str]]:
    """The stored run's figure count, and its recorded figures that do not vary between runs."""
    nb = nbformat.read(str(notebook), as_version=4)
    images, records = 0, []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            images += "image/png" in output.get("data", {})
            if (
                RECORD_KEY in output.get("metadata", {})
                and "text/plain" in output.get("data", {})
                and "nbval-ignore-output" not in cell.metadata.get("tags", [])
            ):
                records.append(output["data"]["text/plain"])  # the figures a learner sees written out
    return images, records


@pytest.mark.parametrize("notebook", list_notebooks(), ids=lambda p: p.stem)
def test_jupyterlab_shows_the_notebook(lab, notebook):
    """Run in the browser where the run shows something only a browser shows (RUN_IN_BROWSER);
    otherwise opened as a learner first sees it, its stored outputs drawn."""
    name, page, run = notebook.stem, lab, notebook.stem in RUN_IN_BROWSER
    page.evaluate("path => jupyterapp.commands.execute('docmanager:open', {path}).then(() => true)", f"{name}.ipynb")
    try:
        page.wait_for_function(KERNEL_IDLE, arg=name, timeout=60_000)
        folds = _unfold(page) if name == "01_loading_mrpc" else None  # as the notebook opens, before running
        if run:
            page.evaluate(RUN_ALL)
            page.wait_for_function("() => window.runAllResult !== null", timeout=240_000, polling=250)
            page.wait_for_function(KERNEL_IDLE, arg=name, timeout=60_000)
        cells = page.evaluate(CELLS)
        # every section open, as a learner who clicked them all: the picture shows the whole notebook
        page.evaluate("() => jupyterapp.commands.execute('notebook:expand-all-headings').then(() => true)")
        _full_page_picture(page, name)
        images = page.evaluate(IMAGES)
        interaction = INTERACT[name](page) if name in INTERACT else None  # after the picture of the whole page
    finally:
        page.set_viewport_size(LAPTOP)
        page.evaluate(CLOSE)

    _check_shown(notebook, cells, images, run)
    if folds:  # opened collapsed, opened by a click
        assert folds["before"]["headingCollapsed"] and folds["before"]["firstUnderHidden"], folds
        assert folds["before"]["inputHidden"] and folds["before"]["outputHidden"], folds
        assert not folds["after"]["headingCollapsed"] and not folds["after"]["firstUnderHidden"], folds
        assert not folds["after"]["inputHidden"] and "labels_answer =" in folds["answer_text"], folds
    if name == "04_dynamic_padding":  # the live explorer answered both moves, with the settings moved
        default, grouped, wider = interaction["texts"]
        assert "strategy=dynamic" in default and "strategy=length_grouped" in grouped
        assert "batch_size=8 " in grouped and "batch_size=9 " in wider, interaction
        print(f"explorer: picture and numbers changed in {interaction['seconds']} s after each move")


def _full_page_picture(page, name: str) -> None:
    """A screenshot of the whole notebook: the window grown until the page stops growing."""
    height = 0
    for _ in range(5):
        taller = min(page.evaluate(FULL_HEIGHT), 30_000)
        if abs(taller - height) < 5:
            break
        height = taller
        page.set_viewport_size({"width": LAPTOP["width"], "height": height})
        page.wait_for_timeout(300)  # let the taller page lay out before measuring again
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _check_shown(notebook: Path, cells: list[dict], images: list[dict], run: bool) -> None:
    """What the page shows: every cell run in order without an error, the stored run's figures drawn
    and fitting the page, its key text and recorded figures, every self-check `correct`, and (after
    a run) no warning or progress bar the stored copy does not have."""
    name = notebook.stem
    errors = [f"cell [{c['count']}]: {_text([o])}" for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, errors
    assert [c["count"] for c in cells] == list(range(1, len(cells) + 1)), "not every cell ran, in order"

    stored_images, records = _stored(notebook)
    assert len(images) == stored_images, f"{len(images)} figures shown, the stored run has {stored_images}"
    for image in images:
        assert image["loaded"] and 0 < image["width"] <= image["page"], image  # drawn, and fits the page

    shown = "\n".join(_text(c["outputs"]) for c in cells)
    for text in KEY_TEXT.get(name, []) + records:
        assert text in shown, f"{text!r} is not on the page"
    # the stored notebooks hold the solutions: every self-check says so in the learner's browser too
    checks = re.findall(r"^(\S[^\n]*?): (correct|not yet|not answered yet)", shown, flags=re.M)
    assert checks and {status for _, status in checks} == {"correct"}, checks
    if run:
        live, stored = noise(cells), noise(notebook)
        assert all(live[kind] <= stored[kind] for kind in live), (live, stored)  # nothing the notebook does not show
    if name == "03_batched_map":  # the Map bars the notebook explains, drawn as widgets
        assert noise(cells)["progress widgets"] > 0


HANGUL = re.compile(r"[\uac00-\ud7a3]")  # the Hangul syllables
KOREAN_STATUS = {status: message(f"status.{status}", "ko") for status in ("correct", "not_yet", "not_answered")}
# Hangul drawn with a real font: without a CJK font Chromium draws every syllable as the same empty box.
HANGUL_DRAWN = """() => {
    const canvas = document.createElement('canvas');
    canvas.width = 48; canvas.height = 32;
    const context = canvas.getContext('2d');
    const font = getComputedStyle(document.querySelector('.jp-RenderedMarkdown')).fontFamily;
    const draw = text => {
        context.clearRect(0, 0, 48, 32); context.font = '24px ' + font; context.fillText(text, 2, 26);
        return context.getImageData(0, 0, 48, 32).data.join();
    };
    return {distinct: draw('가') !== draw('힣'), drawn: draw('가') !== draw(' ')};
}"""
MARKDOWN = """() => [...jupyterapp.shell.currentWidget.node.querySelectorAll('.jp-RenderedMarkdown')]
    .map(node => node.innerText).join('\\n')"""


def test_a_korean_notebook_shows_hangul_and_jupyterlab_speaks_korean(lab):
    """notebooks/ko/01 opened as a learner first sees it: its prose and its self-checks in Korean,
    Hangul drawn with a font (setup.sh installs Debian's fonts-noto-cjk), and JupyterLab's own Korean
    interface installed (the language pack, Settings > Language)."""
    fonts = shutil.which("fc-list") and subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True).stdout
    if not (fonts or "").strip():
        pytest.skip("no font with Hangul: run setup.sh as root (it installs Debian's fonts-noto-cjk)")
    page, name = lab, "01_loading_mrpc"
    page.evaluate("path => jupyterapp.commands.execute('docmanager:open', {path}).then(() => true)", f"ko/{name}.ipynb")
    try:
        page.wait_for_function(KERNEL_IDLE, arg=name, timeout=60_000)
        page.evaluate("() => jupyterapp.commands.execute('notebook:expand-all-headings').then(() => true)")
        drawn, prose, cells = page.evaluate(HANGUL_DRAWN), page.evaluate(MARKDOWN), page.evaluate(CELLS)
        _full_page_picture(page, f"ko_{name}")
        languages = page.evaluate("() => fetch('/lab/api/translations').then(r => r.json())")
    finally:
        page.set_viewport_size(LAPTOP)
        page.evaluate(CLOSE)
    assert drawn == {"distinct": True, "drawn": True}, drawn
    assert len(HANGUL.findall(prose)) > 300 and "데이터셋" in prose  # the prose drawn so far, in the glossary's terms
    shown = "\n".join(_text(c["outputs"]) for c in cells)
    statuses = re.findall(rf"^\S[^\n]*?: ({'|'.join(KOREAN_STATUS.values())})", shown, flags=re.M)
    assert statuses and set(statuses) == {KOREAN_STATUS["correct"]}, statuses  # every self-check, in Korean
    assert "ko_KR" in languages["data"], list(languages["data"])
