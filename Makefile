# probehub — run `make help` for the targets.
GO      ?= go
BIN     := bin
DATA    ?= data
GOTEST  ?= $(GO) test -race -count=1 -timeout 40m

.PHONY: help setup build run test generate check-generate bench bench-capture bench-rules lint clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-16s %s\n",$$1,$$2}'

setup: ## install what builds, tests and `make run` need (apt; idempotent)
	@hack/setup.sh

build: ## build both binaries into bin/
	$(GO) build -o $(BIN)/ ./cmd/probehub ./cmd/probehub-sensor

run: setup build ## the main job on the embedded default (see README)
	hack/run.sh

test: setup ## the whole test suite (root needed for the eBPF tests)
	$(GOTEST) ./...

generate: ## regenerate the eBPF objects (bpf2go, clang) and other generated files
	$(GO) generate ./...

check-generate: generate ## fail when generated files differ from what is committed
	git diff --exit-code -- . ':(exclude)go.sum'

bench-capture: build ## syscall overhead of the capture (open/close loop)
	$(GO) test -run '^$$' -bench 'Capture' -benchtime 1x -count 1 ./sensor/probe/

bench-rules: ## rule engine throughput over a mixed stream with the upstream rules
	$(GO) test -run '^$$' -bench . -benchmem ./sensor/rules/

clean: ## remove build outputs
	rm -rf $(BIN)
