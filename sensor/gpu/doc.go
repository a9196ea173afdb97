// Package gpu is the GPU-node noise filter: it suppresses the alerts that the
// NVIDIA driver and container toolkit raise on every container start, and
// only when NVML facts confirm that the activity is really theirs.
//
// A Profile per driver branch (R535, R550, R570, R580; embedded YAML in
// profiles/) lists the legitimate activity as Entries: process identity by
// proc.exepath, parent chain, files, syscalls. Filter.Suppress silences an
// alert only when its event matches an entry of the profile of the branch
// NVML reports AND the entry's verification passes: the binaries are the
// installed driver/toolkit files (under a configurable host root, with the
// driver version embedded where the file carries it), device files name GPU
// minors NVML knows, and a process claiming GPU use is in NVML's process
// list. Everything else alerts. The NVIDIAScape pattern (CVE-2025-23266: a
// toolkit hook loading a library from the container image) is never
// suppressed, and BuiltinRules carries a dedicated rule for it.
//
// Suppression is never silent: Filter.Counts reports a counter per rule and
// entry, and an optional *slog.Logger receives one audit line per
// suppression. See README.md for the design.
package gpu
