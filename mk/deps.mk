# Dependency checks (issue 6): package data built at install time from ../shared/data, never
# committed (server/redline/data/.gitignore): the advisory database (~1.2 MB, `redline db build`)
# and the popular-package lists. Rebuilt only when the shared files change.
DEPS_DATA := server/redline/data
DEPS_OSV := $(SHARED)/data/osv

.PHONY: deps-data test-deps bench-deps

# Rebuilt when the OSV files or the code that compacts them change.
$(DEPS_DATA)/advisories.rldb: $(wildcard $(DEPS_OSV)/*.jsonl) $(wildcard server/redline/deps/*.py) | $(STAMP)
	@if [ -d "$(DEPS_OSV)" ]; then \
	  $(BIN)/python -m redline.deps.cli build "$(DEPS_OSV)" --output $@; \
	else \
	  echo "warning: $(DEPS_OSV) not found: no advisory database (vulnerable-version checks are off)"; \
	fi

$(DEPS_DATA)/top-pypi.txt $(DEPS_DATA)/top-npm.txt &: $(wildcard $(SHARED)/data/top-*-packages.json) server/redline/deps/toplists.py | $(STAMP)
	@if [ -f "$(SHARED)/data/top-pypi-packages.json" ]; then \
	  $(BIN)/python -m redline.deps.toplists "$(SHARED)/data" $(DEPS_DATA); \
	else \
	  echo "warning: $(SHARED)/data not found: no popular-package lists (typosquat checks are off)"; \
	fi

deps-data: $(DEPS_DATA)/advisories.rldb $(DEPS_DATA)/top-pypi.txt $(DEPS_DATA)/top-npm.txt

INSTALL_TARGETS += deps-data

# The dependency tests alone (they also run in `make test` through test-python).
test-deps: install
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_deps*.py

bench-deps: install
	$(BIN)/python bench/deps.py

BENCH_TARGETS += bench-deps
