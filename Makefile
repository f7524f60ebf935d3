# docket: `make serve` and `make test` each do their own set-up on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: install test serve bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

test: install
	$(BIN)/pytest

serve: install
	$(BIN)/docket ingest examples/ --store $(STORE)
	$(BIN)/docket serve --store $(STORE) --host $(HOST) --port $(PORT)

bench: install
	$(BIN)/python bench/ingest.py --records 10000

clean:
	rm -rf $(VENV) var build *.egg-info
