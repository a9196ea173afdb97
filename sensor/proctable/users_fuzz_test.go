package proctable

import (
	"os"
	"strings"
	"testing"
)

// FuzzParseIDs: any passwd or group text gives an id → name map, never a
// panic, and each name is the first field of one of its lines. Seeds are
// this machine's /etc/passwd and /etc/group, and lines past 64 KiB (a
// bufio.Scanner stopped there without a word, losing every later user).
func FuzzParseIDs(f *testing.F) {
	for _, p := range []string{"/etc/passwd", "/etc/group"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("root:x:0:0:root:/root:/bin/bash\n#c:x:1:\nshort\nbad:x:-1:\nbig:x:4294967296:\n"))
	f.Add([]byte("wheel:x:10:" + strings.Repeat("user,", 20000) + "\nlate:x:1001:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for id, name := range parseIDs(b, 2) {
			if strings.ContainsAny(name, ":\n") {
				t.Fatalf("id %d: name %q spans fields or lines", id, name)
			}
		}
	})
}

// TestParseIDsLongLine: a user after a group line over 64 KiB is still
// found.
func TestParseIDsLongLine(t *testing.T) {
	m := parseIDs([]byte("wheel:x:10:"+strings.Repeat("user,", 20000)+"\nlate:x:1001:\n"), 2)
	if m[10] != "wheel" || m[1001] != "late" {
		t.Fatalf("got %v", m)
	}
}
