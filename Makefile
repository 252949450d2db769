# Kept tiny on purpose; see testing/README.md. `make test` is what CI runs (via .ci/run).
SHELL := /bin/bash
GO_TEST_FLAGS ?= -race -count=1
TEST_LOG ?= $(or $(TMPDIR),/tmp)/datax-go-test.log

.PHONY: setup test

# Start / reuse the test peers (MariaDB, MiniDFSCluster, Python venv); prints the exports.
setup:
	@testing/setup.sh

# setup + vet + test, in one shell so the DATAX_TEST_* exports reach go test.
test:
	@set -euo pipefail; \
	eval "$$(testing/setup.sh)"; \
	echo "+ go vet ./..." >&2; \
	go vet ./...; \
	echo "+ go test $(GO_TEST_FLAGS) ./...  (output also in $(TEST_LOG))" >&2; \
	go test $(GO_TEST_FLAGS) ./... 2>&1 | tee "$(TEST_LOG)"
