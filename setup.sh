#!/usr/bin/env bash
# Sets up .venv with everything the notebooks and the tests need. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
# torch is pinned in requirements.txt: an unpinned torch can pull a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
echo "setup: .venv ready ($(.venv/bin/python --version))"
