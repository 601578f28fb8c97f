# The sandbox's commands. `make run` serves it; `make test` is what CI runs.
GO ?= go
APIS := dcms dmt profile sandbox
# The API reference page embeds Redoc's standalone bundle, vendored in internal/docs/assets
# (`make update-redoc` replaces it, checked against the registry's integrity hash).
REDOC_VERSION := 2.5.0
REDOC_INTEGRITY := sha512-NpYsOZ1PD9qFdjbLVBZJWptqE+4Y6TkUuvEOqPUmoH7AKOmPcE+hYjotLxQNTqVoWL4z0T2uxILmcc8JGDci+Q==
REDOC_ASSETS := internal/docs/assets

.PHONY: run build test vet fmt-check generate check-generate bench bench-scale update-redoc lint fuzz

## run: serve every API and the admin API on 127.0.0.1:8080 (SANDBOX_ADDR to change); Ctrl-C stops it; Go alone
# The binary replaces the shell (exec), so Ctrl-C reaches it alone and its clean exit (0) is make's.
run:
	$(GO) build -buildvcs=auto -o bin/sandbox ./cmd/sandbox
	exec bin/sandbox

## build: the sandbox binary in bin/ (stamped with the VCS revision when there is one)
build:
	$(GO) build -buildvcs=auto -o bin/sandbox ./cmd/sandbox

API_SUITES := ./internal/app/... ./internal/dcms/... ./internal/dmt/... ./internal/profile/... ./internal/replay/... ./sandboxtest/...

## test: vet, formatting, generated-code drift, then every test with the race detector (the
## Redis store and multi-replica suites run against a redis-server they start), and the API
## suites again over a store that encodes values and re-runs updates (as a network store) and,
## with redis-server installed, over Redis (SANDBOX_TEST_REDIS=required: fail without it)
test: vet fmt-check check-generate
	$(GO) test -race -count=1 ./...
	SANDBOX_TEST_STORE=encoded $(GO) test -count=1 $(API_SUITES)
	@if command -v redis-server >/dev/null || [ "$$SANDBOX_TEST_REDIS" = required ]; then \
		echo "SANDBOX_TEST_STORE=redis $(GO) test -count=1 $(API_SUITES)"; \
		SANDBOX_TEST_STORE=redis $(GO) test -count=1 $(API_SUITES); \
	else echo "redis-server is not installed (apt-get install redis-server): the API suites over Redis are skipped"; fi

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

## lint: the contract linters, pinned with npm in tools/lint: Spectral (spectral:oas) and Redocly
## (recommended); any error, or a warning not written down as deliberate there, fails. Needs npm.
LINT := tools/lint
CONTRACTS := $(APIS:%=../../openapi/%.yaml)
lint: $(LINT)/node_modules/.package-lock.json
	cd $(LINT) && ./node_modules/.bin/spectral lint --ruleset .spectral.yaml --fail-severity=warn $(CONTRACTS)
	cd $(LINT) && node redocly.mjs $(CONTRACTS)

$(LINT)/node_modules/.package-lock.json: $(LINT)/package.json $(LINT)/package-lock.json
	cd $(LINT) && npm ci --no-audit --no-fund --loglevel=error

## fuzz: run each fuzz target for FUZZTIME (default 30s), one after another (make test runs
## their seeds and committed corpora in testdata/fuzz; new failing inputs land there too)
FUZZTIME ?= 30s
FUZZ_TARGETS := ./internal/app:FuzzDCMS ./internal/app:FuzzDMT ./internal/app:FuzzProfile ./scenarios/scenariofile:FuzzParse
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "$(GO) test $$pkg -run='^$$' -fuzz='^'$$name'$$' -fuzztime=$(FUZZTIME)"; \
		$(GO) test $$pkg -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME); \
	done

## bench: viewCustomer through the full stack, and through the stack on Redis (with
## redis-server installed), vs a bare net/http handler, in one run (prints the ratios)
bench:
	$(GO) run ./internal/bench

## bench-scale: heap per tenant, start-up and RSS at a million customers, throughput at a
## million customers against 25, RSS after 100k tenants (prints each figure with its goal)
bench-scale:
	$(GO) run ./internal/bench/scale

## update-redoc: replace the vendored Redoc bundle and its licences from npm (needs npm and openssl)
update-redoc:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	(cd $$tmp && npm pack --silent redoc@$(REDOC_VERSION) >/dev/null); \
	got="sha512-$$(openssl dgst -sha512 -binary $$tmp/redoc-$(REDOC_VERSION).tgz | base64 -w0)"; \
	if [ "$$got" != "$(REDOC_INTEGRITY)" ]; then echo "redoc $(REDOC_VERSION): integrity mismatch ($$got)"; exit 1; fi; \
	tar -xzf $$tmp/redoc-$(REDOC_VERSION).tgz -C $$tmp package/LICENSE package/bundles/redoc.standalone.js package/bundles/redoc.standalone.js.LICENSE.txt; \
	cp $$tmp/package/bundles/redoc.standalone.js $$tmp/package/bundles/redoc.standalone.js.LICENSE.txt $(REDOC_ASSETS)/; \
	cp $$tmp/package/LICENSE $(REDOC_ASSETS)/LICENSE; \
	echo "Redoc $(REDOC_VERSION) in $(REDOC_ASSETS); SHA-256 of the bundle (put it in internal/docs/docs_test.go and $(REDOC_ASSETS)/README.md):"; \
	sha256sum $(REDOC_ASSETS)/redoc.standalone.js
