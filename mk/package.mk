# Packaging (issue 17): platform-specific .vsix files that carry Redline and its libraries, so the
# extension needs only a Python 3.11+ interpreter (the Python extension's, or the first on PATH).
#   make vsix-linux-x64 (or linux-arm64, darwin-x64, darwin-arm64, win32-x64); make vsix-platforms
# Wheels come from PyPI as binaries for the target (vscode-client/scripts/bundle-python.py), one
# folder per Python 3.11/3.12/3.13. The universal .vsix (`make vsix`) bundles nothing.
VSIX_PLATFORMS := linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64
VSIX_WHEEL_DIR := build/vsix-wheel

.PHONY: vsix-platforms $(addprefix vsix-,$(VSIX_PLATFORMS))

vsix-platforms: $(addprefix vsix-,$(VSIX_PLATFORMS))

$(addprefix vsix-,$(VSIX_PLATFORMS)): vsix-%: $(STAMP) $(VSCODE_DEPS_STAMP)
	rm -rf $(VSIX_WHEEL_DIR) $(VSCODE_DIR)/bundled
	$(BIN)/python -m pip wheel -q --no-deps --no-build-isolation -w $(VSIX_WHEEL_DIR) .
	$(BIN)/python $(VSCODE_DIR)/scripts/bundle-python.py $* $(VSIX_WHEEL_DIR)/redline-*.whl --out $(VSCODE_DIR)/bundled/libs
	# --allow-package-all-secrets: vsce's secret scan would read ~7,000 library files for minutes and
	# trips on the token formats in Redline's own secret rules; nothing secret is bundled.
	cd $(VSCODE_DIR) && node scripts/notices.mjs && npx vsce package --no-dependencies --allow-missing-repository \
	  --allow-package-all-secrets --target $* --out redline-$(VSCODE_VERSION)-$*.vsix < /dev/null
	rm -rf $(VSCODE_DIR)/bundled
