# Keystroke latency on real code (bench/lsp_realcode.py): Django, commander/jquery/zod, Go's
# standard library and Apache Commons Lang, each fetched once into bench/corpora/latency/
# (gitignored), against `ruff server` on the Python files. ruff is installed into the venv here.
RUFF_VERSION := 0.17.5
BENCH_TARGETS += bench-latency

.PHONY: bench-latency bench-startup
bench-latency: install
	@$(BIN)/python -m pip show -q ruff >/dev/null 2>&1 || $(BIN)/python -m pip install -q ruff==$(RUFF_VERSION)
	nice -n 10 $(BIN)/python bench/lsp_realcode.py --runs 3

# Spawn to first diagnostics and memory with 50 open documents (bench/lsp_latency.py).
bench-startup: install
	nice -n 10 $(BIN)/python bench/lsp_latency.py --only startup --runs 5
	nice -n 10 $(BIN)/python bench/lsp_latency.py --only rss
