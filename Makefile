# Redline: `make demo` shows what an editor would show on the bundled examples;
# `make test` runs the whole test suite. Both create .venv and install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SHARED ?= ../shared

# Each area adds its own targets in mk/<area>.mk and appends to these lists:
#   INSTALL_TARGETS  built after the package is installed (data files the product needs)
#   TEST_SETUP_TARGETS  what the Python test suite needs besides the package (editors for the
#                    end-to-end tests); `make demo` never installs these
#   TEST_TARGETS     run by `make test`
#   BENCH_TARGETS    run by `make bench`
INSTALL_TARGETS :=
TEST_SETUP_TARGETS :=
TEST_TARGETS := test-python
BENCH_TARGETS :=
-include $(sort $(wildcard mk/*.mk))

.PHONY: install demo test test-python bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP) $(INSTALL_TARGETS)

demo: install
	$(BIN)/redline scan examples --format text --fail-on never

test: $(TEST_TARGETS)

test-python: install $(TEST_SETUP_TARGETS)
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: install $(BENCH_TARGETS)

clean:
	rm -rf $(VENV) build *.egg-info server/*.egg-info
