# Emacs + Eglot for the batch-mode editor test (tests/test_emacs_eglot.py).
# Debian's emacs-nox and elpa-eglot; idempotent: nothing happens when both are installed.
EMACS_PKGS := emacs-nox elpa-eglot
APT_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: emacs
emacs:
	@if dpkg-query -W -f='$${Status}\n' $(EMACS_PKGS) 2>/dev/null | grep -vq 'install ok installed' \
	    || [ "$$(dpkg-query -W -f='$${Status}\n' $(EMACS_PKGS) 2>/dev/null | wc -l)" -ne 2 ]; then \
	  $(APT_SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(APT_SUDO) apt-get install -y -qq --no-install-recommends $(EMACS_PKGS); \
	fi

# The Emacs test runs with the Python suite, so `make test-python` installs the editor first.
TEST_SETUP_TARGETS += emacs
