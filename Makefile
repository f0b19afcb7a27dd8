# streamcheck's everyday targets. `go test ./...` alone is the hermetic suite CI runs.
GO ?= go
GOLANGCI_LINT_VERSION ?= v2.6.2
BENCHTIME ?= 2s

.PHONY: test race race-ci flake-guard check-imports ci lint vet fmt-check bench peers bench-peers fuzz integration build emulator-image

build:
	$(GO) build -o bin/streamcheck ./cmd/streamcheck

test: vet fmt-check
	$(GO) test ./...

race:
	$(GO) test -race ./...

# The race detector over the packages where concurrency lives (emulators,
# engine, checkpoint, generators), as CI runs it: the slow end-to-end packages
# (assertions, scenarios, the CLI) are left to `make race`, and so are the
# tests that drive third-party client processes (the AWS CLI, boto3, kcat),
# which add minutes and no concurrency the SDK tests do not already cover.
RACE_PKGS = ./emulator/... ./engine/... ./generators/... ./clock/...
race-ci:
	$(GO) test -race -skip 'AWSCLI|Boto3|Kcat' $(RACE_PKGS)

# Runs the fastest packages' tests many times over, so that a test that
# fails now and then is caught when it lands, not months later.
FLAKE_COUNT ?= 20
FLAKE_PKGS = ./clock/... ./emulator/fault/... ./emulator/edge/... ./engine/checkpoint/... ./engine/interval/... ./engine/transform/... ./generators/...
flake-guard:
	$(GO) test -count=$(FLAKE_COUNT) $(FLAKE_PKGS)

# Import rules that keep the layering and keep importing light: the engine
# never imports the emulators, and the embedded stack and the scenarios pull
# in neither testcontainers nor the Docker client.
check-imports:
	@bad=$$($(GO) list -deps ./emulator ./scenarios | grep -E 'testcontainers|docker' || true); 	  if [ -n "$$bad" ]; then echo "emulator or scenarios import Docker packages:"; echo "$$bad"; exit 1; fi
	@bad=$$($(GO) list -deps ./engine/... | grep '^github.com/streamcheck/streamcheck/emulator' || true); 	  if [ -n "$$bad" ]; then echo "engine imports the emulators:"; echo "$$bad"; exit 1; fi
	@echo "imports: ok"

# Everything CI runs, in CI's order.
ci:
	bash .ci/run

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# golangci-lint at the pinned version, installed into the Go bin directory
# on first use.
GOBIN_DIR := $(shell $(GO) env GOPATH)/bin
GOLANGCI_LINT := $(GOBIN_DIR)/golangci-lint
lint:
	@$(GOLANGCI_LINT) version 2>/dev/null | grep -q ' $(patsubst v%,%,$(GOLANGCI_LINT_VERSION)) ' \
	  || GOBIN=$(GOBIN_DIR) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	$(GOLANGCI_LINT) run ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

# The Node-based emulators the server-CPU benchmarks compare with, pinned, in .peers/
# (in-memory kinesalite and dynalite; s3rver stores on disk).
PEERS = kinesalite@3.3.3 dynalite@4.0.0 s3rver@3.7.1
peers:
	mkdir -p .peers && cd .peers && npm install --no-audit --no-fund --no-save $(PEERS)

# Server CPU per operation, streamcheck's emulators beside the peers (each in its own process).
bench-peers: peers
	$(GO) test -run '^$$' -bench ServerCPU -benchtime 2000x ./emulator/kinesisfake ./emulator/s3fake ./emulator/dynamodbfake

# Short fuzzing runs of every fuzz target (FUZZTIME each); corpus entries found are kept in testdata/.
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 0 $$pkg || exit 1; \
	  done; \
	done

# The emulator's container image: a static binary in a scratch image (no pull needed).
emulator-image:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o bin/streamcheck-emulator ./cmd/streamcheck-emulator
	docker build -t streamcheck/emulator:dev .

# Opt-in tiers: Docker-backed backends (needs a running dockerd) and long soaks.
integration:
	STREAMCHECK_INTEGRATION=1 STREAMCHECK_DOCKER=1 $(GO) test -tags integration -timeout 60m ./...
