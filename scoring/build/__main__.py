"""``python -m scoring.build [--shared DIR] [--check]``: rebuild the shipped dataset."""

from __future__ import annotations

import sys

from scoring.build.dataset import main

sys.exit(main(sys.argv[1:]))
