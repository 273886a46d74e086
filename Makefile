# ecsaudit — run `make help` for the targets.
GO        ?= go
BIN       := bin
PKG       := github.com/ecsaudit/ecsaudit
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X $(PKG)/internal/version.Version=$(VERSION)
STATICCHECK_VERSION := v0.8.2

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build the ecsaudit CLI into bin/
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ecsaudit ./cmd/ecsaudit

.PHONY: release
# RELEASE_TARGETS are the operating systems and architectures the CLI is released for.
RELEASE_TARGETS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
release: ## the CLI for linux and darwin, amd64 and arm64, into bin/release/ with SHA256SUMS
	@rm -rf $(BIN)/release && mkdir -p $(BIN)/release
	@for t in $(RELEASE_TARGETS); do \
		os=$${t%/*}; arch=$${t#*/}; \
		GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/release/ecsaudit-$$os-$$arch ./cmd/ecsaudit || exit 1; \
	done
	@cd $(BIN)/release && { sha256sum ecsaudit-* 2>/dev/null || shasum -a 256 ecsaudit-*; } > SHA256SUMS && cat SHA256SUMS

.PHONY: demo
demo: deps ## the main job: the Lambdas on the sample events against the local AWS emulator; findings printed
	$(GO) run ./cmd/demo .

.PHONY: scan-examples
scan-examples: build ## scan the sample task definitions and ECR data under examples/ with the CLI
	./$(BIN)/ecsaudit scan --fail-on CRITICAL examples/ || test $$? -eq 1

.PHONY: test
# TEST_TIMEOUT is generous: a cold build cache on two cores compiles the SDK and the race runtime first.
TEST_TIMEOUT ?= 30m
test: deps ## run every test (starts the AWS emulator itself)
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

.PHONY: deps
deps: ## check for (and install where possible) what the tests and the demo need: moto_server, cfn-lint
	@command -v moto_server >/dev/null 2>&1 || { echo "moto_server not found: installing it with pip install 'moto[server]'"; pip install 'moto[server]' || { echo "cannot install moto: run pip install 'moto[server]' and try again"; exit 1; }; }
	@command -v cfn-lint >/dev/null 2>&1 || { echo "cfn-lint not found: installing it with pip install cfn-lint"; pip install cfn-lint || { echo "cannot install cfn-lint: run pip install cfn-lint and try again"; exit 1; }; }

.PHONY: lint
lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

.PHONY: docs
docs: ## regenerate docs/rules.md from the catalog
	$(GO) run ./cmd/ecsaudit rules --format markdown > docs/rules.md

.PHONY: signal
signal: ## how loud the default configuration is on the corpus task definitions: HIGH+ and baseline shares, containers per rule (docs/signal.md)
	@ECSAUDIT_SIGNAL=1 $(GO) test -count=1 -v -run '^TestSignal$$' ./internal/testenv/corpustest | grep -v -e '^=== RUN' -e '^--- PASS' -e '^PASS' -e '^ok '

.PHONY: bench
bench: ## benchmarks of load + evaluate over the corpus
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

.PHONY: bench-image
bench-image: ## read images of 10 MB, 100 MB and 1 GB of layers built in a temp dir: time, bytes read, peak heap (docs/performance.md)
	ECSAUDIT_BENCH_LARGE=1 $(GO) test -run '^$$' -bench BenchmarkImageRead -benchtime 1x -benchmem -count 3 ./internal/imagefile

# SAM build targets ----------------------------------------------------------------------------------------------
# `sam build` (template.yaml, BuildMethod: makefile) runs build-<LogicalId> with ARTIFACTS_DIR set. The release build
# is linux/arm64 without cgo or the RPC shim (lambda.norpc), as provided.al2023 on Graviton runs it.
LAMBDA_GOFLAGS := -tags lambda.norpc -trimpath -ldflags '-s -w'

.PHONY: build-arm64
build-arm64: ## the four release binaries for linux/arm64 into bin/arm64/<function>/bootstrap, as sam build makes them
	@for fn in taskdef-auditor ecr-auditor sweeper cfn-hook; do \
		GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_GOFLAGS) -o $(BIN)/arm64/$$fn/bootstrap ./functions/$$fn || exit 1; \
		ls -l $(BIN)/arm64/$$fn/bootstrap | awk -v f=$$fn '{printf "functions/%-16s linux/arm64 bootstrap %.1f MB\n", f, $$5/1048576}'; \
	done

.PHONY: build-TaskDefinitionAuditor build-EcrAuditor build-Sweeper build-CfnHook
build-TaskDefinitionAuditor: ## (sam build) the task definition auditor for linux/arm64
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_GOFLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/taskdef-auditor
build-EcrAuditor: ## (sam build) the ECR auditor for linux/arm64
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_GOFLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/ecr-auditor
build-Sweeper: ## (sam build) the sweeper for linux/arm64
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_GOFLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/sweeper
build-CfnHook: ## (sam build) the CloudFormation hook's function for linux/arm64
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_GOFLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/cfn-hook

.PHONY: lint-template
lint-template: ## cfn-lint template.yaml and infra/*.yaml (no errors, no warnings)
	cfn-lint template.yaml infra/*.yaml
# end of SAM build targets ---------------------------------------------------------------------------------------

# fuzz targets ---------------------------------------------------------------------------------------------------
# Each target runs alone for FUZZTIME, one after another; a crasher is saved under the package's testdata/fuzz, where
# plain `go test` replays it from then on. Not part of .ci/run: a new crasher must not block an unrelated change.
# FUZZFLAGS passes more flags to go test (e.g. FUZZFLAGS='-parallel 2' on a shared machine).
FUZZTIME  ?= 30s
FUZZFLAGS ?=
FUZZ_TARGETS := \
	FuzzLoad:./internal/load \
	FuzzRead:./internal/iac \
	FuzzParseEvent:./internal/event \
	FuzzParse:./internal/config \
	FuzzParseSuppressTag:./internal/engine \
	FuzzPolicy:./internal/rules/ecr \
	FuzzScanFilter:./internal/rules/ecr \
	FuzzGlob:./internal/rule \
	FuzzParseImageRef:./internal/model \
	FuzzECRHost:./internal/model \
	FuzzReadLayer:./internal/imagefile

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each (default 30s), one after another: make fuzz FUZZTIME=10m
	@failed=; for t in $(FUZZ_TARGETS); do \
		name=$${t%%:*}; pkg=$${t#*:}; \
		echo "== $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) $$pkg || failed="$$failed $$name"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed (crashers under testdata/fuzz)"; exit 1; fi
# end of fuzz targets --------------------------------------------------------------------------------------------

# sweep targets --------------------------------------------------------------------------------------------------
# The sweep at scale against moto_server (docs/sweep.md): seeds the account, runs the sweeper three times in a child
# process, prints calls by API, wall times and peak memory, and as its last line the summary line. Exit 1 on a missed
# target. The small one is what .ci/run covers through `go test ./internal/sweep/` (TestBenchSweepSmall).
.PHONY: bench-sweep bench-sweep-small
bench-sweep: deps ## the sweep at scale: 10,000 revisions, 1,000 families, 500 repositories, 5,000 images (many minutes)
	$(GO) run ./cmd/bench-sweep
bench-sweep-small: deps ## the same with 1,000 revisions, 100 families, 50 repositories, 500 images
	$(GO) run ./cmd/bench-sweep -small
.PHONY: bench-sweep-estate
bench-sweep-estate: deps ## the estate's calls of two sweeps over 1,000 services in 100 clusters, against the API's floor
	$(GO) test ./internal/sweep/ -run TestEstateCallsAgainstTheFloor -count=1 -v -timeout 25m \
		-estate.clusters=100 -estate.services=1000
# end of sweep targets -------------------------------------------------------------------------------------------

# fault targets --------------------------------------------------------------------------------------------------
# The fault scenario (internal/testenv/faults, docs/reliability.md): the demo's events and a sweep over FAULT_REVISIONS
# seeded revisions, run side by side without and with 20 % injected AWS faults, compared; the summary is the last
# line printed. `make test` runs the same test over 100 revisions. FAULT_FLAGS passes more test flags, e.g.
# FAULT_FLAGS='-faults.log=bin/faults.jsonl -faults.max-attempts=10'.
FAULT_REVISIONS ?= 1000
FAULT_SEED      ?= 20260601
FAULT_FLAGS     ?=

.PHONY: test-races
test-races: deps ## every interleaving scenario, verbosely; last line: races: scenarios=N wrong=W lost=L duplicated=D stale=S leaked_secrets=K
	@out=$$(mktemp); \
	{ ECSAUDIT_RACES=1 $(GO) test -count=1 -v -timeout 20m ./internal/testenv/races; echo $$? > $$out.rc; } 2>&1 | tee $$out; \
	rc=$$(cat $$out.rc); line=$$(grep '^races: ' $$out | tail -n 1); rm -f $$out $$out.rc; \
	if [ -z "$$line" ]; then echo "test-races: the scenarios printed no summary (go test status $$rc)"; exit 1; fi; \
	echo "$$line"; exit $$rc

.PHONY: test-faults
test-faults: deps ## fault scenario over 1,000 revisions; last line: faults: injected=N retries=R expected=E got=G missing=M ...
	@out=$$(mktemp); \
	{ $(GO) test -count=1 -v -timeout 60m -run '^TestFaultScenario$$' ./internal/testenv/faults \
		-args -faults.revisions=$(FAULT_REVISIONS) -faults.seed=$(FAULT_SEED) $(FAULT_FLAGS); echo $$? > $$out.rc; } 2>&1 | tee $$out; \
	rc=$$(cat $$out.rc); line=$$(grep '^faults: ' $$out | tail -n 1); rm -f $$out $$out.rc; \
	if [ -z "$$line" ]; then echo "test-faults: the scenario printed no summary (go test status $$rc)"; exit 1; fi; \
	echo "$$line"; exit $$rc
# end of fault targets -------------------------------------------------------------------------------------------
