# OpenReel: `make demo` and `make test` work on a fresh machine (they set up what they need).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXAMPLES := $(sort $(wildcard examples/*/template.json examples/*/template.yaml))
PYTEST_ARGS ?=

.PHONY: setup system assets player demo test lint format bench bench-resolve bench-events bench-render bench-player bench-server clean docs

setup: system $(STAMP) assets player

# The browser player (TypeScript): npm packages, then the build shipped inside the Python package.
player: player/node_modules/.installed
	cd player && npm run --silent build

player/node_modules/.installed: player/package.json player/package-lock.json
	cd player && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

system:
	@bash scripts/setup_system.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

assets: $(STAMP)
	$(PY) scripts/make_example_assets.py

demo: setup
	@set -e; for t in $(EXAMPLES); do \
	  dir=$$(dirname $$t); \
	  echo "== $$dir"; \
	  $(VENV)/bin/openreel validate $$dir; \
	  for v in $$dir/viewers/*.json; do \
	    echo "-- viewer $$(basename $$v .json)"; \
	    $(VENV)/bin/openreel inspect $$dir --data $$v; \
	  done; \
	done
	@set -e; for t in $(EXAMPLES); do \
	  dir=$$(dirname $$t); name=$$(basename $$dir); mkdir -p out/demo/$$name; \
	  for v in $$dir/viewers/*.json; do \
	    who=$$(basename $$v .json); \
	    echo "== render $$name for viewer $$who -> out/demo/$$name/$$who.{mp4,jpg,gif,vtt}"; \
	    $(VENV)/bin/openreel render $$dir --data $$v -o out/demo/$$name/$$who.mp4 \
	      --gif out/demo/$$name/$$who.gif --captions out/demo/$$name/$$who.vtt; \
	    $(VENV)/bin/openreel still $$dir --data $$v --at 1.5 -o out/demo/$$name/$$who.jpg; \
	  done; \
	done
	@echo "== analytics: simulated traffic for campaign 'demo' -> out/demo/report"
	@mkdir -p out/demo && rm -f out/demo/events.duckdb
	$(VENV)/bin/openreel events simulate --store out/demo/events.duckdb --campaign demo --views 3000
	$(VENV)/bin/openreel report --campaign demo --store out/demo/events.duckdb -o out/demo/report
	@echo "== the server: a demo brand endpoint and openreel serve on loopback (Ctrl-C to stop)"
	$(PY) scripts/demo_server.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests scripts benchmarks
	$(VENV)/bin/ruff format --check src tests scripts benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format src tests scripts benchmarks
	$(VENV)/bin/ruff check --fix src tests scripts benchmarks

test: setup lint
	cd player && npm test --silent
	$(PY) -m pytest $(PYTEST_ARGS)

docs: $(STAMP)
	$(PY) scripts/gen_docs.py

bench: setup bench-resolve bench-events bench-render bench-player bench-server

bench-render: setup
	$(PY) benchmarks/bench_render.py

bench-player: setup
	$(PY) benchmarks/bench_player.py

bench-server: setup
	$(PY) benchmarks/bench_server.py

bench-resolve: setup
	$(PY) benchmarks/bench_resolve.py

bench-events: setup
	$(PY) benchmarks/bench_events.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
