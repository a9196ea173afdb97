package rules_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

// TestOverlay loads the overlay after the upstream stable rules and replays
// recorded GPU-node sequences: the CDI hook's memfd ldconfig no longer
// alerts, the NVIDIAScape pattern does.
func TestOverlay(t *testing.T) {
	tests := []struct {
		desc, events string
		overlay      bool
		want         int
	}{
		{"cdi hook, stable only", "cdi-hook.jsonl", false, 1},
		{"cdi hook, with overlay", "cdi-hook.jsonl", true, 0},
		{"nvidiascape, with overlay", "nvidiascape.jsonl", true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			eng := load(t, tc.overlay)
			n := 0
			for _, ev := range events(t, tc.events) {
				for _, r := range eng.Process("syscall", ev) {
					t.Logf("alert: %s", r.Name)
					n++
				}
			}
			if n != tc.want {
				t.Errorf("%d alerts, want %d", n, tc.want)
			}
		})
	}
}

func load(t *testing.T, overlay bool) *rules.Engine {
	eng, err := rules.New(rules.WithSource(syscall.New()), rules.WithAllMatches())
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{testutil.SharedData(t, "falco_rules.yaml")}
	if overlay {
		paths = append(paths, "nvidia-overlay.yaml")
	}
	if _, err := eng.LoadFiles(paths...); err != nil {
		t.Fatal(err)
	}
	return eng
}

func events(t *testing.T, name string) []*event.Event {
	f, err := os.Open(filepath.Join("..", "..", "sensor", "gpu", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*event.Event
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		ev := new(event.Event)
		if err := json.Unmarshal(sc.Bytes(), ev); err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}
