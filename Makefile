# The two commands of the README: `make run` and `make test`. Both create the virtual
# environment and install everything on first use.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed
LOCK := requirements.lock

.PHONY: run test lint browser bench lock

# First every pinned package from the lock, each checked against its hashes; then the project
# itself, which also adds anything pyproject.toml asks for that the lock lacks (a dependency
# added since the last `make lock`) and keeps the locked versions of everything else.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Re-pin the lock from pyproject.toml (keeps current pins where they still fit; UPGRADE=1
# takes the newest allowed releases). See "Dependencies" in the README.
lock:
	test -x $(VENV)/bin/pip || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet 'pip-tools>=7.5'
	$(VENV)/bin/pip-compile --quiet --extra dev --strip-extras --generate-hashes \
	  --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) \
	  --output-file $(LOCK) pyproject.toml

run: $(STAMP)
	$(VENV)/bin/tremplin run

# Debian's chromium drives the browser tests; installed when missing and we may (root).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji) >/dev/null; \
	  else echo "chromium is not installed: browser tests will be skipped"; fi; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# The suite mostly waits (bots answering on loopback, nudges falling due), so four workers
# on two cores cut its time by more than half; TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 4
test: $(STAMP) browser lint
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS)

bench: $(STAMP)
	$(VENV)/bin/python bench/run_all.py
