package testutil

import (
	"strconv"
	"strings"
)

// LogAttr returns the value of key in the first line of log (slog's text
// format) whose message is msg, and whether there is one. A test that
// starts a server on 127.0.0.1:0 reads the port it got from the line that
// announces it, rather than picking a free port that another test may take
// before the server binds it.
func LogAttr(log, msg, key string) (string, bool) {
	want := "msg=" + msg
	if strings.ContainsAny(msg, " =\"") {
		want = "msg=" + strconv.Quote(msg)
	}
	for line := range strings.Lines(log) {
		i := strings.Index(line, want)
		if i < 0 || !strings.HasPrefix(line[i+len(want):], " ") && strings.TrimSpace(line[i+len(want):]) != "" {
			continue
		}
		for _, f := range strings.Fields(line[i+len(want):]) {
			if v, ok := strings.CutPrefix(f, key+"="); ok {
				return v, true
			}
		}
	}
	return "", false
}
