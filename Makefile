# Redline: `make demo` shows what an editor would show on the bundled examples;
# `make test` runs the whole test suite. Both create .venv and install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SHARED ?= ../shared

.PHONY: install demo test test-python bench clean

# Each area may add its own targets in mk/<area>.mk and append to TEST_TARGETS / BENCH_TARGETS.
TEST_TARGETS := test-python
BENCH_TARGETS :=
-include $(sort $(wildcard mk/*.mk))

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/redline scan examples --format text --fail-on never

test: $(TEST_TARGETS)

test-python: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: install $(BENCH_TARGETS)

clean:
	rm -rf $(VENV) build *.egg-info server/*.egg-info
