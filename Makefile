# ecsaudit — run `make help` for the targets.
GO        ?= go
BIN       := bin
PKG       := github.com/ecsaudit/ecsaudit
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X $(PKG)/internal/cli.Version=$(VERSION)
STATICCHECK_VERSION := 2025.1.1

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build the ecsaudit CLI into bin/
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ecsaudit ./cmd/ecsaudit

.PHONY: demo
demo: build ## the main job: scan the sample task definitions and ECR data in examples/
	./$(BIN)/ecsaudit scan --fail-on CRITICAL --now 2026-11-22 examples/ || test $$? -eq 1

.PHONY: test
test: deps ## run every test (starts the AWS emulator itself)
	$(GO) test -race -count=1 ./...

.PHONY: deps
deps: ## check for (and install where possible) what the tests need: moto_server, cfn-lint
	@command -v moto_server >/dev/null 2>&1 || { echo "moto_server not found: installing moto[server] with pip"; pip install 'moto[server]' || { echo "cannot install moto: run pip install 'moto[server]'"; exit 1; }; }

.PHONY: lint
lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

.PHONY: docs
docs: ## regenerate docs/rules.md from the catalog
	$(GO) run ./cmd/ecsaudit rules --format markdown > docs/rules.md

.PHONY: bench
bench: ## benchmarks of load + evaluate over the corpus
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...
