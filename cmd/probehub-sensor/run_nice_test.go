package main

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// threadNices reads the nice value (stat field 19) of every thread.
func threadNices(t *testing.T) []int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, d := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		n, _ := strconv.Atoi(f[16])
		out = append(out, n)
	}
	return out
}

func TestSetNice(t *testing.T) {
	testutil.RequireRoot(t) // going back to 0 afterwards needs CAP_SYS_NICE
	if err := setNice(3); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := setNice(0); err != nil {
			t.Error(err)
		}
	}()
	for _, n := range threadNices(t) {
		if n != 3 {
			t.Errorf("thread nice %d, want 3 on every thread (%v)", n, threadNices(t))
			break
		}
	}
	for _, bad := range []int{-21, 20} {
		if err := setNice(bad); err == nil || !strings.Contains(err.Error(), "want -20 to 19") {
			t.Errorf("setNice(%d) = %v, want a range error", bad, err)
		}
	}
}
