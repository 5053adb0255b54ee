# VS Code extension: build, package (.vsix), unit tests and the end-to-end test in real VS Code
# (code-server + headless Chromium). Everything installs idempotently and is cached:
# vscode-client/node_modules (npm ci), .tools/code-server-<version> (npm), Debian packages.
VSCODE_DIR := vscode-client
VSCODE_E2E_DIR := tests/editors/vscode
VSCODE_VERSION := $(shell sed -n 's/^  "version": "\(.*\)",$$/\1/p' $(VSCODE_DIR)/package.json)
VSIX := $(VSCODE_DIR)/redline-$(VSCODE_VERSION).vsix
CODE_SERVER_VERSION := 4.100.3
CODE_SERVER_DIR := .tools/code-server-$(CODE_SERVER_VERSION)
CODE_SERVER := $(CODE_SERVER_DIR)/node_modules/.bin/code-server
VSCODE_APT_PKGS := chromium ripgrep libkrb5-dev
VSCODE_APT_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: vscode-system vscode-deps vsix test-vscode test-vscode-unit test-vscode-e2e code-server vscode-screenshot

# Debian packages: chromium (the browser that drives VS Code), ripgrep (VS Code's search binary,
# instead of a download from GitHub) and libkrb5-dev (code-server's kerberos module).
vscode-system:
	@if [ "$$(dpkg-query -W -f='$${Status}\n' $(VSCODE_APT_PKGS) 2>/dev/null | grep -c 'install ok installed')" -ne 3 ]; then \
	  $(VSCODE_APT_SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(VSCODE_APT_SUDO) apt-get install -y -qq --no-install-recommends $(VSCODE_APT_PKGS); \
	fi

VSCODE_DEPS_STAMP := $(VSCODE_DIR)/node_modules/.redline-deps-stamp
VSCODE_SOURCES := $(wildcard $(VSCODE_DIR)/src/*.ts $(VSCODE_DIR)/src/common/*.ts) \
	$(addprefix $(VSCODE_DIR)/,package.json README.md CHANGELOG.md LICENSE .vscodeignore esbuild.mjs tsconfig.json)

# npm ci from the committed package-lock; no dependency needs an install script (esbuild finds its
# binary in @esbuild/<platform>).
$(VSCODE_DEPS_STAMP): $(VSCODE_DIR)/package.json $(VSCODE_DIR)/package-lock.json
	cd $(VSCODE_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

vscode-deps: $(VSCODE_DEPS_STAMP)

# The .vsix, built without network: esbuild bundles the extension into dist/extension.js and
# .vscodeignore keeps everything else out (`cd vscode-client && npx vsce ls` lists what is packed).
$(VSIX): $(VSCODE_DEPS_STAMP) $(VSCODE_SOURCES)
	cd $(VSCODE_DIR) && npm run -s package

vsix: $(VSIX)

# Lint, type-check and the unit tests of the pure parts (node's test runner; JUnit XML in
# vscode-client/out/junit.xml for CI).
test-vscode-unit: $(VSCODE_DEPS_STAMP)
	cd $(VSCODE_DIR) && npm run -s lint && npm run -s typecheck && npm run -s test:junit

# code-server $(CODE_SERVER_VERSION) (VS Code 1.100.3) from npm, once; see the script for why each step.
$(CODE_SERVER_DIR)/.installed-stamp: $(VSCODE_E2E_DIR)/install-code-server.mjs
	$(MAKE) --no-print-directory vscode-system
	node $(VSCODE_E2E_DIR)/install-code-server.mjs $(CODE_SERVER_DIR) $(CODE_SERVER_VERSION)

code-server: $(CODE_SERVER_DIR)/.installed-stamp

# The end-to-end test talks over loopback only. As root (CI) it runs in its own network namespace
# with nothing but `lo`, so nothing in VS Code, Chromium or the server can reach the network; the
# test also points every proxy and the extension gallery at a closed loopback port.
VSCODE_NETNS = $(shell [ "$$(id -u)" = 0 ] && command -v ip >/dev/null && unshare -n true 2>/dev/null && echo yes)
VSCODE_E2E_RUN = $(if $(VSCODE_NETNS),unshare -n -- sh -c 'ip link set lo up && exec "$$@"' sh)
VSCODE_E2E_ENV = REDLINE_VSIX=$(abspath $(VSIX)) REDLINE_CODE_SERVER=$(abspath $(CODE_SERVER)) \
	REDLINE_BIN=$(abspath $(BIN))/redline

# Real VS Code, headless Chromium, the real server: diagnostics, code actions, a quick fix, rule
# documentation, and the notification when no server can be found.
test-vscode-e2e: install $(VSIX) $(CODE_SERVER_DIR)/.installed-stamp vscode-system
	$(VSCODE_E2E_ENV) $(VSCODE_E2E_RUN) node --test --test-reporter=spec $(VSCODE_E2E_DIR)/e2e.test.mjs

# Refresh the screenshot in the docs (docs/img/vscode.png) from a run of the end-to-end test.
vscode-screenshot: install $(VSIX) $(CODE_SERVER_DIR)/.installed-stamp vscode-system
	$(VSCODE_E2E_ENV) REDLINE_SCREENSHOT=$(abspath docs/img/vscode.png) \
	  $(VSCODE_E2E_RUN) node --test --test-reporter=spec $(VSCODE_E2E_DIR)/e2e.test.mjs

test-vscode: test-vscode-unit test-vscode-e2e

TEST_TARGETS += test-vscode
