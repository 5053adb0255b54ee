# Python rules, local taint and the bandit engine (issue 4, Python part), and the detection
# benchmark for all languages. The tests also run in `make test` through test-python.
.PHONY: test-python-rules bench-detection

test-python-rules: install
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_python_*.py tests/test_taint_python.py \
	  tests/test_fixes_python.py tests/test_bandit_engine.py

# Scores Redline and bandit on $(SHARED)/benchmarks and Django (fetched once into bench/corpora/)
# and rewrites the tables in bench/results/detection.md.
bench-detection: install
	REDLINE_SHARED=$(SHARED) $(BIN)/python bench/detection.py --speed --write bench/results/detection.md

BENCH_TARGETS += bench-detection
