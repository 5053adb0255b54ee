# Real-code benchmark (bench/realworld.py): findings per 10k lines on pinned releases of popular
# PyPI and npm packages (bench/realworld_packages.toml), scanned with the default settings.
# Downloads each release once into bench/corpora/realworld/ (gitignored) with pip download / npm pack.
BENCH_TARGETS += bench-realworld

.PHONY: bench-realworld
bench-realworld: install
	$(BIN)/python bench/realworld.py --markdown
