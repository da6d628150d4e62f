"""`python -m helpers ...`: the command line (helpers/running/cli.py)."""

import sys

from .running.cli import main

if __name__ == "__main__":
    sys.exit(main())
