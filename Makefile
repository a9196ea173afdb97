# probehub — run `make help` for the targets.
GO       ?= go
BIN      := bin
SHARED   ?= ../shared/data
GOTEST   ?= $(GO) test -race -count=1 -timeout 45m
# make test renders `go test -json` with gotestsum (built once from the module
# proxy into $(TOOLS)): a line per package as it finishes, failures in full,
# the slowest tests at the end.
GOTESTSUM_VERSION ?= v1.13.0
TOOLS    ?= $(or $(PROBEHUB_TOOLS),$(HOME)/.cache/probehub/tools)
GOTESTSUM = $(TOOLS)/gotestsum-$(GOTESTSUM_VERSION)
GOLANGCI_VERSION ?= v2.15.0
GOLANGCI = $(TOOLS)/golangci-lint-$(GOLANGCI_VERSION)
# Packages whose tests load eBPF programs, boot qemu or kill processes: they
# share the kernel, so they run one package at a time, alongside the others,
# which run TEST_JOBS packages at once (each test picks its own free ports).
# The two groups run at the same time: each is mostly one long package
# (builder/extract, sensor/probe), so in sequence the suite took their sum.
KERNEL_PKGS := sensor/probe sensor/agent sensor/proctable sensor/container sensor/response \
	cmd/probehub-sensor ci/matrix builder/minimize
KERNEL_RE    = ^github.com/probehub/probehub/($(subst $(space),|,$(strip $(KERNEL_PKGS))))(/|$$)
TEST_JOBS ?= 4
FUZZTIME ?= 10s
export CGO_CFLAGS ?= -Wno-deprecated-declarations
empty :=
space := $(empty) $(empty)

.PHONY: help setup build run test test-integration lint generate check-generate matrix matrix-kernel fuzz \
	bench-capture bench-response bench-rules bench-extract bench-minimize bench-catalog bench-registry bench-api bench-gpu bench-sensor clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-16s %s\n",$$1,$$2}'

setup: ## install what builds, tests and `make run` need (apt; idempotent)
	@hack/setup.sh

build: ## build both binaries into bin/
	$(GO) build -o $(BIN)/ ./cmd/probehub ./cmd/probehub-sensor

run: setup build ## the main job on the embedded default: build artifacts, serve the API, run the sensor
	hack/run.sh

test: setup $(GOTESTSUM) ## the whole test suite (root needed for the eBPF tests): progress per package, the slowest tests at the end
	@mkdir -p $(BIN)
	@echo "testing two groups at once: kernel packages one at a time, the others $(TEST_JOBS) at a time"
	@$(GOTESTSUM) --format pkgname-and-test-fails --jsonfile $(BIN)/test-kernel.json -- \
		-race -count=1 -timeout 45m -p 1 $$($(GO) list ./... | grep -E '$(KERNEL_RE)') & kernel=$$!; \
	$(GOTESTSUM) --format pkgname-and-test-fails --jsonfile $(BIN)/test-other.json -- \
		-race -count=1 -timeout 45m -p $(TEST_JOBS) $$($(GO) list ./... | grep -v -E '$(KERNEL_RE)'); other=$$?; \
	wait $$kernel; k=$$?; \
	[ $$other -eq 0 ] || echo "FAILED: the non-kernel packages (above)"; \
	[ $$k -eq 0 ] || echo "FAILED: the kernel packages (above)"; \
	[ $$other -eq 0 ] && [ $$k -eq 0 ]
	@echo "slowest tests (over 20s; each says why in its doc comment):"
	@cat $(BIN)/test-other.json $(BIN)/test-kernel.json > $(BIN)/test.json
	@$(GOTESTSUM) tool slowest --jsonfile $(BIN)/test.json --threshold 20s | head -15

KUBE_BIN ?= $(or $(PROBEHUB_CACHE),$(HOME)/.cache/probehub)/kube/bin
EVENT_GENERATOR ?= $(TOOLS)/event-generator
test-integration: setup ## deploy/helm against a real control plane (etcd, kube-apiserver, kube-controller-manager built once by hack/kube-apiserver.sh, 20-40 min) and Falco's event-generator (hack/event-generator.sh DIR builds EVENT_GENERATOR)
	@[ -x $(KUBE_BIN)/kube-controller-manager ] || hack/kube-apiserver.sh
	@[ -x $(EVENT_GENERATOR) ] || { echo "no $(EVENT_GENERATOR): run hack/event-generator.sh DIR with a checkout of falcosecurity/event-generator, or set EVENT_GENERATOR" >&2; exit 2; }
	PROBEHUB_KUBE_BIN=$(KUBE_BIN) PROBEHUB_EVENT_GENERATOR=$(EVENT_GENERATOR) PROBEHUB_SHARED_DATA=$(abspath $(SHARED)) \
		$(GO) test -tags integration -count=1 -timeout 30m -v -run 'TestApplyDryRun|TestAuditEventGenerator' ./deploy/helm/

$(GOTESTSUM):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) GOFLAGS=-trimpath $(GO) install gotest.tools/gotestsum@$(GOTESTSUM_VERSION)
	mv $(TOOLS)/gotestsum $@

$(GOLANGCI):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) GOFLAGS=-trimpath $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	mv $(TOOLS)/golangci-lint $@

lint: $(GOLANGCI) ## golangci-lint with .golangci.yaml (errcheck, errorlint, nilerr, unparam, revive builtin-shadowing)
	$(GOLANGCI) run ./...

generate: ## regenerate the eBPF objects (bpf2go, clang) and other generated files
	$(GO) generate ./...

check-generate: generate ## fail when generated files differ from what is committed
	@git diff --exit-code --stat -- . ':(exclude)go.sum' || { echo "generated files differ: run make generate and commit" >&2; exit 1; }

matrix: build ## the full kernel matrix under qemu with the upstream rules (results in data/matrix/, served by the API)
	$(GO) run ./cmd/probehub matrix run --rules $(SHARED)/falco_rules.yaml

matrix-kernel: build ## build the matrix's own kernels (source: oci rows: 6.1 without BTF) from Debian source into the kernel store, and publish their artifacts to data/oci (~10 min, once)
	@mkdir -p data/keys; [ -f data/keys/probehub.key ] || $(BIN)/probehub publish --gen-key data/keys/probehub
	$(BIN)/probehub matrix kernel build --artifacts layout:data/oci --sign-key data/keys/probehub.key

fuzz: ## run every fuzz target (found by go test -list) for FUZZTIME each (default 10s); fails on any crash
	@hack/fuzz.sh $(FUZZTIME)

bench: build ## every command side by side with the tool it replaces (interleaved rounds, medians, ratios; ROUNDS, BENCH=extract,minimize,stream,fetch,replay,capture)
	hack/bench.sh

bench-capture: ## syscall overhead of capture: open/close and loopback connection loops with and without the probe, and a ppoll of 16 fds
	$(GO) test -run '^$$' -bench 'Capture(Net)?$$' -benchtime 1x -count 1 -timeout 30m ./sensor/probe/
	$(GO) test -run '^$$' -bench 'CapturePpoll' -benchtime 20000x -count 1 ./sensor/probe/

bench-rules: ## rule engine throughput, upstream rules, mixed stream (one core)
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./sensor/rules/

bench-extract: ## .deb → BTF vs dpkg-deb -x + extract-vmlinux + objcopy, per real Debian kernel
	$(GO) test -run '^$$' -bench ExtractDeb -benchtime 1x -count 1 -timeout 30m ./builder/extract/

bench-minimize: ## BTFGen vs bpftool gen min_core_btf; whole-catalog kernels/minute
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 -timeout 30m ./builder/minimize/ ./builder/build/

bench-catalog: ## whole catalog for a new probe version as `build --catalog` runs it (KERNELS, default 5000), beside bpftool per kernel × the count
	hack/bench-catalog.sh

bench-registry: ## node boot fetch (resolve+pull+verify) and publish throughput against docker-registry
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 -timeout 30m ./registry/ ./sensor/fetch/

bench-api: ## compatibility API: wrk against probehub serve with 10,000 kernels
	PROBEHUB_BENCH_API=1 PROBEHUB_BENCH_SETUPS=$${PROBEHUB_BENCH_SETUPS:-pinned,shared} PROBEHUB_BENCH_CONNECTIONS=$${PROBEHUB_BENCH_CONNECTIONS:-4,8,64} \
		$(GO) test -count=1 -run TestWrkAPI -v ./compat/ | grep bench-api
	$(GO) test -run '^$$' -bench . -benchmem ./compat/

bench-gpu: ## GPU-node filter cost relative to the rule engine
	$(GO) test -run '^$$' -bench GPUNodeStream -benchmem ./sensor/gpu/

bench-sensor: ## whole-sensor overhead (open/close, fork+exec) and sustained load
	$(GO) test -run '^$$' -bench Sensor -benchtime 1x -count 1 -timeout 30m ./sensor/agent/

bench-response: ## alert → process killed and alert → webhook delivered, p50/p99 over 1,000 each
	$(GO) test -run '^$$' -bench AlertTo -benchtime 1x -count 1 ./sensor/response/

check-arm64: ## arm64: vet every package (tests included), build both binaries (the sensor's into bin/linux-arm64/), run the rule engine's tests and the artifact platform tests under qemu-aarch64 (user mode); CI runs it
	GOARCH=arm64 $(GO) vet ./...
	GOARCH=arm64 CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/linux-arm64/probehub-sensor ./cmd/probehub-sensor
	file $(BIN)/linux-arm64/probehub-sensor | grep -q 'ARM aarch64, .*statically linked' || { file $(BIN)/linux-arm64/probehub-sensor; echo "the arm64 sensor is not a static aarch64 binary" >&2; exit 1; }
	GOARCH=arm64 CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/probehub
	GOARCH=arm64 CGO_ENABLED=0 $(GO) test -count=1 -exec qemu-aarch64 ./sensor/rules/...
	GOARCH=arm64 CGO_ENABLED=0 $(GO) test -count=1 -exec qemu-aarch64 -run 'MultiArch|Retagged|WithoutPlatform|DefaultArch' ./sensor/fetch/

pin-images: ## build both multi-arch images (linux/amd64, linux/arm64) at the chart's appVersion into out/images and pin their digests in deploy/helm/probehub/values.yaml
	v=$$(sed -n 's/^appVersion: "\(.*\)"/\1/p' deploy/helm/probehub/Chart.yaml); \
	go run ./cmd/probehub image build --to layout:out/images --platform linux/amd64,linux/arm64 \
		--version "$$v" --tag "$$v" --pin-values deploy/helm/probehub/values.yaml

clean: ## remove build outputs
	rm -rf $(BIN) matrix-results
