package probe

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestNR64Defines: the setns and unshare numbers c/task.h gives
// on_compat_exit (arm64's block first, then x86's) are the tables' here.
func TestNR64Defines(t *testing.T) {
	src, err := os.ReadFile("c/task.h")
	if err != nil {
		t.Fatal(err)
	}
	defs := regexp.MustCompile(`(?m)^#define NR64_(SETNS|UNSHARE) (\d+)$`).FindAllSubmatch(src, -1)
	if len(defs) != 4 {
		t.Fatalf("c/task.h: %d NR64_ defines, want 4 (arm64's, then x86's)", len(defs))
	}
	for i, d := range defs {
		arch := "arm64"
		if i >= 2 {
			arch = "amd64"
		}
		name := map[string]string{"SETNS": "setns", "UNSHARE": "unshare"}[string(d[1])]
		n, _ := strconv.Atoi(string(d[2]))
		if want, ok := syscallNumbers[arch][name]; !ok || uint32(n) != want {
			t.Errorf("c/task.h: %s NR64_%s %d, want %d", arch, d[1], n, want)
		}
	}
}
