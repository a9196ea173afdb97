package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRulesFields: the catalog listing marks live and uncollected fields,
// filters by source, and refuses an unknown source.
func TestRulesFields(t *testing.T) {
	out, code := runCLI(t, nil, "rules", "fields", "--json", "--source", "syscall")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	var fs []fieldJSON
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	live := map[string]bool{}
	for _, f := range fs {
		if f.Source != "syscall" {
			t.Errorf("%s has source %s", f.Name, f.Source)
		}
		live[f.Name] = f.Live
	}
	for name, want := range map[string]bool{"proc.env": true, "fd.rnet": true, "fd.cip.name": true, "evt.buffer": true,
		"container.mount.dest": true, "thread.totexectime": true, "thread.cpu": true, "proc.vmsize": true, "fdlist.nums": true,
		"proc.fdusage": true, "k8s.deployment.name": true, "evt.plugininfo": true} {
		if got, ok := live[name]; !ok || got != want {
			t.Errorf("%s: listed %v, live %v; want live %v", name, ok, got, want)
		}
	}
	out, code = runCLI(t, nil, "rules", "fields", "--source", "syscall", "--not-collected")
	if code != 0 || strings.Contains(out, "thread.totexectime") || strings.Contains(out, "proc.env[name]") {
		t.Errorf("--not-collected: exit %d:\n%s", code, out)
	}
	if strings.Contains(out, "k8s.rc.name") || strings.Contains(out, "evt.pluginname") {
		t.Errorf("--not-collected lists fields that have no value in Falco either:\n%s", out)
	}
	if strings.Contains(out, "[not collected") && !strings.Contains(out, "Field Class:") {
		t.Errorf("no class header in:\n%s", out)
	}
	out, code = runCLI(t, nil, "rules", "fields", "--source", "nope")
	if code == 0 || !strings.Contains(out, "unknown source") {
		t.Errorf("unknown source: exit %d: %s", code, out)
	}
}
