//go:build cgo

package gpu_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/nvidia"
	"github.com/probehub/probehub/nvidia/nvml"
	"github.com/probehub/probehub/nvidia/nvml/nvmltest"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/gpu"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

// scenario is one recorded sequence and the rules it raises unfiltered.
type scenario struct {
	file       string
	driverRoot string
	rules      []string // sorted, distinct
	always     bool     // NVIDIAScape: alerts whatever the filter does
}

var scenarios = []scenario{
	{"cdi-hook.jsonl", "/", []string{"Fileless execution via memfd_create", "Write below etc"}, false},
	{"legacy-hook.jsonl", "/", []string{"Change thread namespace", "Write below etc"}, false},
	// nvidia-persistenced's comm is "nvidia-persiste" (15 bytes), which
	// gpu_management_binaries does not list: its exec raises nothing.
	{"driver-container.jsonl", "/run/nvidia/driver", []string{"Linux Kernel Module Injection Detected", "Non sudo setuid"}, false},
	{"dcgm-exporter.jsonl", "/run/nvidia/driver", []string{"Container Accessing GPU Device", "GPU Management Tool Run in Container"}, false},
	{"cuda-job.jsonl", "/", []string{"Container Accessing GPU Device"}, false},
	{"nvidiascape.jsonl", "/", []string{gpu.NVIDIAScapeRule}, true},
}

// cudaPID is the CUDA job's pid, listed by NVML on GPUs 0 and 1.
const cudaPID = 7001

func TestReplay(t *testing.T) {
	eng := newEngine(t)
	host := fakeHost(t, installedVersion)
	modes := []struct {
		desc     string
		facts    func(t *testing.T) *nvidia.Refresher
		mutate   func(*event.Event)
		disabled bool
		filtered bool // the filter removes every non-NVIDIAScape alert
	}{
		{"matching R550 driver", fakeFacts("R550", true), nil, false, true},
		{"mismatched R570 driver", fakeFacts("R570", true), nil, false, false},
		{"mismatched R535 driver", fakeFacts("R535", true), nil, false, false},
		{"binaries outside the driver paths", fakeFacts("R550", false), moveBinaries, false, false},
		{"filter switched off", fakeFacts("R550", true), nil, true, false},
		{"no NVIDIA driver", noDriver, nil, false, false},
	}
	for _, m := range modes {
		for _, sc := range scenarios {
			t.Run(m.desc+"/"+sc.file, func(t *testing.T) {
				var audit bytes.Buffer
				f, err := gpu.New(m.facts(t), &gpu.Options{HostRoot: host, DriverRoot: sc.driverRoot,
					Disabled: m.disabled, Logger: slog.New(slog.NewTextHandler(&audit, nil))})
				if err != nil {
					t.Fatal(err)
				}
				evs := readEvents(t, sc.file, m.mutate)
				raw, kept := replay(eng, f, evs)
				if got := distinct(raw); !slices.Equal(got, sc.rules) {
					t.Errorf("unfiltered rules %q, want %q", got, sc.rules)
				}
				want := raw
				if m.filtered && !sc.always {
					want = nil
				}
				if len(kept) != len(want) {
					t.Errorf("%d alerts unfiltered, %d with the filter, want %d", len(raw), len(kept), len(want))
					for _, a := range kept {
						t.Logf("kept %s: %s", a.rule, f.Suppress(a.rule, a.ev))
					}
				}
				t.Logf("%d alerts unfiltered (%q), %d with the filter", len(raw), distinct(raw), len(kept))
				suppressed := uint64(len(raw) - len(kept))
				if n := total(f.Counts()); n != suppressed {
					t.Errorf("counters sum %d, want %d suppressed", n, suppressed)
				}
				if lines := uint64(strings.Count(audit.String(), "gpu filter suppressed alert")); lines != suppressed {
					t.Errorf("%d audit lines, want %d", lines, suppressed)
				}
			})
		}
	}
}

type alert struct {
	rule string
	ev   *event.Event
}

// replay returns the alerts of the engine, and those the filter keeps.
func replay(eng *rules.Engine, f *gpu.Filter, evs []*event.Event) (raw, kept []alert) {
	for _, ev := range evs {
		for _, r := range eng.Process("syscall", ev) {
			a := alert{r.Name, ev}
			raw = append(raw, a)
			if !f.Suppress(r.Name, ev).Suppressed {
				kept = append(kept, a)
			}
		}
	}
	return raw, kept
}

func newEngine(tb testing.TB) *rules.Engine {
	tb.Helper()
	eng, err := rules.New(rules.WithSource(syscall.New()), rules.WithAllMatches(), rules.WithHostname("gpu-node-1"))
	if err != nil {
		tb.Fatal(err)
	}
	stable, err := os.ReadFile(testutil.SharedData(tb, "falco_rules.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	noise := readFixture(tb, "gpu_noise_rules.yaml")
	if _, err := eng.Load(rules.File{Name: "falco_rules.yaml", Data: stable},
		rules.File{Name: "gpu_noise_rules.yaml", Data: noise},
		rules.File{Name: "gpu_rules.yaml", Data: gpu.BuiltinRules()}); err != nil {
		tb.Fatal(err)
	}
	return eng
}

// fakeFacts refreshes NVML facts from a go-nvml DGX H100 fake server at
// branch; with cuda, NVML lists the CUDA job on GPUs 0 and 1.
func fakeFacts(branch nvidia.Branch, cuda bool) func(t *testing.T) *nvidia.Refresher {
	return func(t *testing.T) *nvidia.Refresher {
		s, err := nvmltest.NewBranch("dgxh100", branch)
		if err != nil {
			t.Fatal(err)
		}
		if cuda {
			nvmltest.SetProcesses(s, 0, []uint32{cudaPID}, nil)
			nvmltest.SetProcesses(s, 1, []uint32{cudaPID}, nil)
		}
		r := nvidia.NewRefresher(nvml.New(s), 0)
		if snap := r.Refresh(context.Background()); !snap.Loaded() {
			t.Fatalf("fake NVML: %s %v", snap.State, snap.Err)
		}
		return r
	}
}

func noDriver(t *testing.T) *nvidia.Refresher {
	r := nvidia.NewRefresher(nvml.Open("/nonexistent/libnvidia-ml.so.1"), 0)
	if s := r.Refresh(context.Background()); s.State != nvidia.StateNoDriver {
		t.Fatalf("state %s, want no-driver", s.State)
	}
	return r
}

// moveBinaries relocates every executable to /opt/impostor, as a look-alike
// outside the driver's and toolkit's installed paths would be.
func moveBinaries(ev *event.Event) {
	move := func(p string) string {
		if strings.HasPrefix(p, "/") {
			return "/opt/impostor" + p
		}
		return p
	}
	ev.Proc.ExePath = move(ev.Proc.ExePath)
	for i := range ev.Proc.Ancestors {
		ev.Proc.Ancestors[i].ExePath = move(ev.Proc.Ancestors[i].ExePath)
	}
}

func readEvents(tb testing.TB, name string, mutate func(*event.Event)) []*event.Event {
	tb.Helper()
	fh, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	var out []*event.Event
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		ev := new(event.Event)
		if err := json.Unmarshal(sc.Bytes(), ev); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		if mutate != nil {
			mutate(ev)
		}
		out = append(out, ev)
	}
	return out
}

func distinct(as []alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.rule)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func total(cs []gpu.Count) uint64 {
	var n uint64
	for _, c := range cs {
		n += c.N
	}
	return n
}
