# docket: `make serve` and `make test` each do their own set-up on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: install test test-virtuoso serve bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

test: install
	$(BIN)/pytest

# The store contract suite against Virtuoso (Debian's virtuoso-opensource, apt-installed when missing), started on
# free loopback ports in a temporary folder and stopped afterwards. Not in `make test`: see README, Deployment.
test-virtuoso: install
	bash tools/virtuoso-test.sh

serve: install
	$(BIN)/docket ingest examples/ --store $(STORE)
	$(BIN)/docket serve --store $(STORE) --host $(HOST) --port $(PORT)

# bench/serve.py loads the server with wrk (Debian) and compares its SPARQL with `oxigraph serve` (PyPI), profiling
# with py-spy (PyPI); none of them is needed by the tests, so they are installed here, each only when missing.
bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	@test -x $(BIN)/oxigraph && test -x $(BIN)/py-spy \
		|| $(BIN)/pip install --quiet 'oxigraph>=0.5.10,<0.6' 'py-spy>=0.4,<0.5'
	$(BIN)/python bench/ingest.py --records 10000
	$(BIN)/python bench/extract.py --records 1000
	$(BIN)/python bench/serve.py --records 10000 --profile
	$(BIN)/python bench/harvest.py --records 10000

clean:
	rm -rf $(VENV) var build *.egg-info
