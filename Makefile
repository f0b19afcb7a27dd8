# streamcheck's everyday targets. `go test ./...` alone is the hermetic suite CI runs.
GO ?= go
GOLANGCI_LINT_VERSION ?= v2.6.2
BENCHTIME ?= 2s

.PHONY: test race lint vet fmt-check bench integration build

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

# Opt-in tiers: Docker-backed backends (needs a running dockerd) and long soaks.
integration:
	STREAMCHECK_INTEGRATION=1 $(GO) test -tags integration -timeout 60m ./...
