# make run   - start mitmproxy with the CORS addon on 127.0.0.1:8080 (sets everything up first)
# make test  - run the whole test suite (sets everything up first: Chromium, Firefox ESR, nginx, Caddy,
#              Apache, Go, Ruby, tmux, Node packages)
# Other Pythons: make test PYTHON=python3.12 VENV=.venv-3.12  (mitmproxy 12.x needs 3.12+)
PYTHON ?= python3
VENV ?= .venv
ARGS ?=
BIN := $(VENV)/bin
# Debian's golang-github-rs-cors-dev: the Go export's test builds against it offline.
RS_CORS := /usr/share/gocode/src/github.com/rs/cors

.PHONY: run web dump demo test test-fast test-repeat lint screenshot bench bench-instructions bench-har system-deps clean

# The tool needs mitmproxy and pyyaml; the tests add browsers' drivers and the apps they compare.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/mitmproxy -s cors_addon.py --listen-host 127.0.0.1 $(ARGS)

web: $(BIN)/.installed
	$(BIN)/mitmweb -s cors_addon.py --listen-host 127.0.0.1 $(ARGS)

dump: $(BIN)/.installed
	$(BIN)/mitmdump -s cors_addon.py --listen-host 127.0.0.1 $(ARGS)

demo: $(BIN)/.installed
	$(BIN)/python demo/demo.py $(ARGS)

system-deps:
	@command -v chromium >/dev/null && command -v firefox-esr >/dev/null && command -v tmux >/dev/null \
	  && command -v nginx >/dev/null && command -v npm >/dev/null && command -v caddy >/dev/null \
	  && command -v apache2 >/dev/null && command -v go >/dev/null && command -v ruby >/dev/null \
	  && [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] && [ -d $(RS_CORS) ] \
	  && ruby -e 'require "rack/cors"; require "webrick"' 2>/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium firefox-esr tmux nginx fonts-noto-color-emoji \
	    caddy apache2 golang-go golang-github-rs-cors-dev ruby-rack-cors ruby-webrick ruby-rack \
	    $$(command -v npm >/dev/null || echo nodejs npm); }

# The Express and Fastify apps of the equivalence tests (tests/equivalence/).
APPS := tests/equivalence/apps
$(APPS)/%/node_modules/.installed: $(APPS)/%/package-lock.json
	npm ci --prefix $(APPS)/$* --no-audit --no-fund --silent
	touch $@

test: system-deps $(BIN)/.installed-test $(APPS)/express/node_modules/.installed $(APPS)/fastify/node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (lint and format) and mypy, as configured in pyproject.toml; .ci/run runs it before the tests.
lint: $(BIN)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The browser-driven suites RUNS times in a row (default 5): a race shows up here before it shows up in CI.
RUNS ?= 5
test-repeat: system-deps $(BIN)/.installed-test
	@for n in $$(seq 1 $(RUNS)); do \
	  $(BIN)/python -m pytest -q tests/e2e/test_browser.py tests/e2e/test_verdict_browser.py \
	    tests/e2e/test_cookies_browser.py tests/e2e/test_firefox.py tests/e2e/test_console.py \
	    tests/e2e/test_mitmweb.py $(PYTEST_ARGS) > /tmp/cors-test-repeat-$$n.log 2>&1; status=$$?; \
	  echo "run $$n of $(RUNS): $$(tail -n 1 /tmp/cors-test-repeat-$$n.log)"; \
	  [ $$status = 0 ] || { tail -n 40 /tmp/cors-test-repeat-$$n.log; exit 1; }; \
	done

test-fast: $(BIN)/.installed-test
	$(BIN)/python -m pytest -m "not browser and not console and not slow" $(PYTEST_ARGS)

# Not part of the tests: load and timing measurements, see bench/README.md.
bench: system-deps $(BIN)/.installed-test
	@command -v wrk >/dev/null && command -v nginx >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q wrk nginx; }
	$(BIN)/python bench/bench.py $(ARGS)

# Instructions per request under valgrind: steadier than throughput on a shared machine.
# cors-addon explain on a 100,000-call HAR: time and peak memory (bench/README.md, "A large HAR").
bench-har: $(BIN)/.installed
	$(BIN)/python bench/har_scale.py $(ARGS)

bench-instructions: system-deps $(BIN)/.installed-test
	@command -v valgrind >/dev/null && command -v nginx >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q valgrind nginx; }
	$(BIN)/python bench/instructions.py $(ARGS)

# Regenerates docs/mitmweb.png (the README's screenshot) from the mitmweb test.
screenshot: system-deps $(BIN)/.installed-test
	CORS_SCREENSHOT_DIR=docs $(BIN)/python -m pytest -q tests/e2e/test_mitmweb.py -k screenshot

clean:
	rm -rf .venv .venv-* .pytest_cache $(APPS)/express/node_modules $(APPS)/fastify/node_modules
