# Infrastructure-as-code and CI rules (issue 8): Terraform, Dockerfile, Kubernetes, compose and
# GitHub Actions (RL5xx). The tests need nothing beyond the package's grammars; they also run in
# test-python. The benchmark scores the rules on Trivy's good/bad examples in ../shared.
.PHONY: test-iac bench-iac

# The IaC tests alone; `make test` already runs them through test-python.
test-iac: install
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_iac_*.py

bench-iac: install
	$(BIN)/python bench/iac.py --data $(SHARED)/benchmarks/iac_trivy_checks.jsonl --repeat 5 --markdown

BENCH_TARGETS += bench-iac
