# The sandbox's commands. `make run` serves it; `make test` is what CI runs.
GO ?= go
APIS := dcms dmt profile sandbox
# The API reference page embeds Redoc's standalone bundle, taken from npm and checked
# against the registry's integrity hash.
REDOC_VERSION := 2.5.0
REDOC_INTEGRITY := sha512-NpYsOZ1PD9qFdjbLVBZJWptqE+4Y6TkUuvEOqPUmoH7AKOmPcE+hYjotLxQNTqVoWL4z0T2uxILmcc8JGDci+Q==
REDOC_BUNDLE := internal/docs/assets/redoc.standalone.js

.PHONY: run build test vet fmt-check generate check-generate bench bench-scale docs-assets

## run: serve every API and the admin API on 127.0.0.1:8080 (SANDBOX_ADDR to change); Ctrl-C stops it
# The binary replaces the shell (exec), so Ctrl-C reaches it alone and its clean exit (0) is make's.
run:
	@$(MAKE) --no-print-directory docs-assets || echo "warning: no Redoc bundle (npm unreachable?): /__sandbox/docs will link the raw contracts instead"
	$(GO) build -buildvcs=auto -o bin/sandbox ./cmd/sandbox
	exec bin/sandbox

## build: the sandbox binary in bin/ (stamped with the VCS revision when there is one)
build: docs-assets
	$(GO) build -buildvcs=auto -o bin/sandbox ./cmd/sandbox

## test: vet, formatting, generated-code drift, then every test with the race detector, and
## the API suites again over a store that encodes values and re-runs updates (as a network store)
test: docs-assets vet fmt-check check-generate
	$(GO) test -race -count=1 ./...
	SANDBOX_TEST_STORE=encoded $(GO) test -count=1 ./internal/app/... ./internal/dcms/... ./internal/dmt/... ./internal/profile/... ./internal/replay/... ./sandboxtest/...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## generate: regenerate generated/ from openapi/ with the pinned oapi-codegen
generate:
	$(GO) generate ./generated/...

## check-generate: fail if generated/ differs from what openapi/ generates
check-generate:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	for api in $(APIS); do \
		sed "s#^output: .*#output: $$tmp/$$api.gen.go#" generated/$$api/config.yaml > $$tmp/$$api.yaml; \
		$(GO) tool oapi-codegen -config $$tmp/$$api.yaml openapi/$$api.yaml; \
		if ! cmp -s $$tmp/$$api.gen.go generated/$$api/$$api.gen.go; then \
			echo "generated/$$api/$$api.gen.go is not what openapi/$$api.yaml generates: run make generate"; \
			diff -u generated/$$api/$$api.gen.go $$tmp/$$api.gen.go | head -40; exit 1; \
		fi; \
	done; echo "generated code matches the contracts"

## bench: viewCustomer through the full stack vs a bare net/http handler (prints the ratio)
bench:
	$(GO) run ./internal/bench

## bench-scale: heap per tenant, start-up and RSS at a million customers, throughput at a
## million customers against 25, RSS after 100k tenants (prints each figure with its goal)
bench-scale:
	$(GO) run ./internal/bench/scale

## docs-assets: fetch Redoc's bundle from npm (once) for the /__sandbox/docs page
docs-assets: $(REDOC_BUNDLE)

$(REDOC_BUNDLE):
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	(cd $$tmp && npm pack --silent redoc@$(REDOC_VERSION) >/dev/null); \
	got="sha512-$$(openssl dgst -sha512 -binary $$tmp/redoc-$(REDOC_VERSION).tgz | base64 -w0)"; \
	if [ "$$got" != "$(REDOC_INTEGRITY)" ]; then echo "redoc $(REDOC_VERSION): integrity mismatch ($$got)"; exit 1; fi; \
	tar -xzf $$tmp/redoc-$(REDOC_VERSION).tgz -C $$tmp package/bundles/redoc.standalone.js; \
	cp $$tmp/package/bundles/redoc.standalone.js $@; echo "fetched Redoc $(REDOC_VERSION) bundle into $@"
