package probe

// The probe is compiled once per architecture (the syscall argument
// registers differ) and per variant (probe: portable, helper reads;
// probefast: BTF-typed direct loads); the objects land in ./bytecode, which
// the build side imports without this loader. c/wire.h is written by
// TestWireHeader (go test ./sensor/probe -run WireHeader -update) from
// wire.go.
//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall" -target amd64,arm64 -output-dir bytecode -go-package bytecode -no-global-types probe c/probe.c
//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall" -target amd64,arm64 -output-dir bytecode -go-package bytecode -no-global-types probefast c/probe_fast.c
