# OWASP Benchmark for Java 1.2 (bench/owasp.py): per-category TPR - FPR and the overall score, on all
# cases and on the dev (even) and held-out (odd) halves. Unpacks the benchmark once into
# bench/corpora/owasp/ (gitignored) and scans its testcode folder with the default settings.
BENCH_TARGETS += bench-owasp

.PHONY: bench-owasp
bench-owasp: install
	$(BIN)/python bench/owasp.py --markdown
