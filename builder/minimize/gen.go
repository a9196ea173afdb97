package minimize

// The test objects are committed; regenerate them with
// `go generate ./builder/minimize/` (clang ≥ 14, libbpf-dev headers).
// core.o has every kind of CO-RE relocation; plain.o has BTF but no CO-RE
// relocations and plain-nodebug.o no BTF at all (bad-input tests).
//go:generate clang -O2 -g -fdebug-compilation-dir=. -target bpf -D__TARGET_ARCH_x86 -c testdata/core.c -o testdata/core.o
//go:generate clang -O2 -g -fdebug-compilation-dir=. -target bpf -c testdata/plain.c -o testdata/plain.o
//go:generate clang -O2 -fdebug-compilation-dir=. -target bpf -c testdata/plain.c -o testdata/plain-nodebug.o
