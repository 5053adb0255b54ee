# Dependency checks (issue 6, issue 17): the advisory database (~1.2 MB) and the popular-package
# lists are package data COMMITTED to the repository (server/redline/data/), so that a wheel, an
# sdist and `pip install .` from a clone without ../shared all carry them. `make data` refreshes
# them from ../shared/data (an explicit step: a build hook could not work without ../shared).
DEPS_DATA := server/redline/data
DEPS_OSV := $(SHARED)/data/osv
# The date the shared snapshot was collected ("Collected YYYY-MM-DD" in its README), else today.
DATA_SNAPSHOT = $(or $(shell sed -n 's/^Collected \([0-9-]\{10\}\).*/\1/p' $(DEPS_OSV)/README.md 2>/dev/null | head -1),$(shell date -u +%F))

.PHONY: data test-deps bench-deps

data: | $(STAMP)
	@test -d "$(DEPS_OSV)" || { echo "error: $(DEPS_OSV) not found (set SHARED=...)"; exit 1; }
	$(BIN)/python -m redline.deps.cli build "$(DEPS_OSV)" --output $(DEPS_DATA)/advisories.rldb --snapshot-date $(DATA_SNAPSHOT)
	$(BIN)/python -m redline.deps.toplists "$(SHARED)/data" $(DEPS_DATA) $(DATA_SNAPSHOT)
	@echo "refreshed $(DEPS_DATA) (snapshot $(DATA_SNAPSHOT)); commit advisories.rldb and top-*.txt"

# The dependency tests alone (they also run in `make test` through test-python).
test-deps: install
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_deps*.py

bench-deps: install
	$(BIN)/python bench/deps.py

BENCH_TARGETS += bench-deps
