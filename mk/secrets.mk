# Secrets (issue 5): hardcoded credentials, redline.secrets + engines/secrets.py and
# engines/detect_secrets.py. The tests also run in `make test` through test-python.
DJANGO_CORPUS := bench/corpora/Django-5.1.4

.PHONY: test-secrets bench-secrets bench-corpus-django

test-secrets: install
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_secrets_*.py tests/test_detect_secrets_engine.py
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_rule_examples.py -k "RL20 or RL902"

# Django 5.1.4's source release for the throughput benchmark (shared with other benchmarks;
# bench/corpora/ is not committed). Idempotent: nothing happens when it is already unpacked.
$(DJANGO_CORPUS): | $(STAMP)
	mkdir -p bench/corpora
	cd bench/corpora && [ -f Django-5.1.4.tar.gz ] || ../../$(BIN)/pip download -q --no-deps --no-binary :all: django==5.1.4 -d .
	cd bench/corpora && [ -d Django-5.1.4 ] || tar -xzf Django-5.1.4.tar.gz

bench-corpus-django: $(DJANGO_CORPUS)

bench-secrets: install $(DJANGO_CORPUS)
	$(BIN)/python bench/secrets.py --runs 5

BENCH_TARGETS += bench-secrets
