# streamcheck's everyday targets. `go test ./...` alone is the hermetic suite CI runs.
GO ?= go
GOLANGCI_LINT_VERSION ?= v2.6.2
BENCHTIME ?= 2s

.PHONY: test race lint vet fmt-check bench fuzz integration build emulator-image

build:
	$(GO) build -o bin/streamcheck ./cmd/streamcheck

test: vet fmt-check
	$(GO) test ./...

race:
	$(GO) test -race ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

lint:
	@command -v golangci-lint >/dev/null || $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	golangci-lint run ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

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
