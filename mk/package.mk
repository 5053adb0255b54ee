# Packaging (issue 17): platform-specific .vsix files that carry Redline and its libraries, so the
# extension needs only a Python 3.11+ interpreter (the Python extension's, or the first on PATH).
#   make package          the universal .vsix and the five platform ones, then check all six
#   make vsix-linux-x64   one platform (or linux-arm64, darwin-x64, darwin-arm64, win32-x64)
#   make check-vsix       check the .vsix files that exist (vscode-client/scripts/check-vsix.py)
# Wheels come from PyPI as binaries for the target (vscode-client/scripts/bundle-python.py), one
# folder per Python 3.11/3.12/3.13. The universal .vsix (`make vsix`) bundles nothing.
# `make test` builds only the linux-x64 one (its end-to-end test installs it: mk/vscode.mk).
# The platform packages share vscode-client/bundled/ while they are made: build them one at a time
# (`make package` does, even under -j), and after the universal one (order-only prerequisite), which
# would otherwise pack a bundled/ folder that is there at the time (check-vsix.py would fail it).
# (mk/package.mk is read before mk/vscode.mk: the paths it needs are set here.)
PKG_CLIENT := vscode-client
PKG_VERSION := $(shell sed -n 's/^  "version": "\(.*\)",$$/\1/p' $(PKG_CLIENT)/package.json)
PKG_UNIVERSAL := $(PKG_CLIENT)/redline-$(PKG_VERSION).vsix
PKG_DEPS_STAMP := $(PKG_CLIENT)/node_modules/.redline-deps-stamp
PKG_CLIENT_SOURCES := $(wildcard $(PKG_CLIENT)/src/*.ts $(PKG_CLIENT)/src/common/*.ts) \
	$(addprefix $(PKG_CLIENT)/,package.json README.md CHANGELOG.md LICENSE .vscodeignore esbuild.mjs tsconfig.json scripts/notices.mjs)
VSIX_PLATFORMS := linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64
VSIX_WHEEL_DIR := build/vsix-wheel
VSIX_FILE = $(PKG_CLIENT)/redline-$(PKG_VERSION)-$(1).vsix
VSIX_PLATFORM_FILES := $(foreach p,$(VSIX_PLATFORMS),$(call VSIX_FILE,$(p)))
VSIX_CHECK := $(PKG_CLIENT)/scripts/check-vsix.py
# What a platform package is made of: the extension, Redline's package and the bundling script.
VSIX_SERVER_SOURCES := pyproject.toml $(shell find server/redline -type f ! -name '*.pyc' ! -path '*/__pycache__/*' 2>/dev/null)

.PHONY: package check-vsix vsix-platforms $(addprefix vsix-,$(VSIX_PLATFORMS))

$(VSIX_PLATFORM_FILES): $(PKG_CLIENT)/redline-$(PKG_VERSION)-%.vsix: $(STAMP) $(PKG_DEPS_STAMP) $(PKG_CLIENT_SOURCES) \
		$(VSIX_SERVER_SOURCES) $(PKG_CLIENT)/scripts/bundle-python.py | $(PKG_UNIVERSAL)
	rm -rf $(VSIX_WHEEL_DIR) $(PKG_CLIENT)/bundled
	$(BIN)/python -m pip wheel -q --no-deps --no-build-isolation -w $(VSIX_WHEEL_DIR) .
	$(BIN)/python $(PKG_CLIENT)/scripts/bundle-python.py $* $(VSIX_WHEEL_DIR)/redline-*.whl --out $(PKG_CLIENT)/bundled/libs
	# --allow-package-all-secrets: vsce's secret scan would read ~7,000 library files for minutes and
	# trips on the token formats in Redline's own secret rules; nothing secret is bundled.
	cd $(PKG_CLIENT) && node scripts/notices.mjs && npx vsce package --no-dependencies --allow-missing-repository \
	  --allow-package-all-secrets --target $* --out redline-$(PKG_VERSION)-$*.vsix < /dev/null
	rm -rf $(PKG_CLIENT)/bundled
	$(BIN)/python $(VSIX_CHECK) $@

$(addprefix vsix-,$(VSIX_PLATFORMS)): vsix-%: $(PKG_CLIENT)/redline-$(PKG_VERSION)-%.vsix

# One at a time (they share vscode-client/bundled/), whatever -j says.
vsix-platforms:
	for p in $(VSIX_PLATFORMS); do $(MAKE) --no-print-directory -j1 vsix-$$p || exit 1; done

package: $(PKG_UNIVERSAL)
	$(MAKE) --no-print-directory vsix-platforms
	$(BIN)/python $(VSIX_CHECK) $(PKG_UNIVERSAL) $(VSIX_PLATFORM_FILES)

check-vsix: $(STAMP)
	$(BIN)/python $(VSIX_CHECK) $(wildcard $(PKG_UNIVERSAL) $(VSIX_PLATFORM_FILES))

# The VS Code end-to-end test's second part installs the linux-x64 package alone (mk/vscode.mk);
# vscode-screenshot runs the same test file.
test-vscode-e2e vscode-screenshot: $(call VSIX_FILE,linux-x64)
test-vscode-e2e vscode-screenshot: export REDLINE_PLATFORM_VSIX := $(abspath $(call VSIX_FILE,linux-x64))
