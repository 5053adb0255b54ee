# Throughput of `redline scan --jobs 1` against bandit on the same files (bench/scan_throughput.py).
# Without a corpus it downloads Django 5.1.4's source package once into bench/corpora/ (gitignored).
BENCH_TARGETS += bench-throughput

.PHONY: bench-throughput
bench-throughput: install
	$(BIN)/python bench/scan_throughput.py --breakdown
