# One line per task; see README.md.
.PHONY: build test test-unit lint snapshots bench bench-floor bench-http loadtest startup kql-bench ps-score

build:        ; go build -o bin/mcp-server ./cmd/mcp-server
test:         ; ./script/test
test-unit:    ; go test ./...
lint:         ; test -z "$$(gofmt -l $$(git ls-files '*.go'))" && go vet ./... && go vet -tags e2e ./e2e/ && go vet -tags conformance ./tools/mcpadapter/
snapshots:    ; UPDATE_SNAPSHOTS=1 go test ./tools/catalog/
bench:        ; go test -run '^$$' -bench . -benchmem ./internal/kql/... ./internal/kqlcheck/
loadtest: build ; go run ./e2e/loadtest -bin bin/mcp-server -seconds 10
bench-floor:  ; script/bench-floor
bench-http: build ; go build -o bin/floor ./tools/mcpadapter/floor && go run ./e2e/httpbench -secmcp bin/mcp-server -floor bin/floor
startup: build ; script/deps-node && cp e2e/startup-bench.mjs .cache/node/e2e-startup-bench.mjs && cd .cache/node && node e2e-startup-bench.mjs 5 -- $(CURDIR)/bin/mcp-server
kql-bench:    ; internal/kql/bench/run.sh
ps-score:     ; go run ./internal/psdeob/cmd/psscore
