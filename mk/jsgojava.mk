# JavaScript/TypeScript, Go and Java rules (issue 4, second half): RL101-RL112, RL130-RL132,
# RL301-RL307, RL320 with local taint and quick fixes. The tests need nothing beyond the
# package's grammars and already run in test-python; `make test-jsgojava` runs them alone.
# The benchmark counts findings per 10k lines on benign code found on the machine
# (vscode-client/node_modules after `make vsix`, the JDK's src.zip) and times the rules
# against the parser in the same run.
.PHONY: test-jsgojava bench-jsgojava

test-jsgojava: install
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_jsgojava_*.py tests/test_js_*.py tests/test_go_*.py tests/test_java_*.py tests/test_fixes_jsgojava.py

bench-jsgojava: install
	$(BIN)/python bench/jsgojava_false_alarms.py --runs 3
	$(BIN)/python bench/jsgojava_pairs.py --shared $(SHARED)

BENCH_TARGETS += bench-jsgojava
