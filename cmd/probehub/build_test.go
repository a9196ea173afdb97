package main

import (
	"strings"
	"testing"

	"github.com/probehub/probehub/builder/build"
)

func TestPartialFailure(t *testing.T) {
	tests := []struct {
		name      string
		s         build.Summary
		keepGoing bool
		want      string // substring of the error; "" for none
	}{
		{"all built", build.Summary{Total: 3, Built: 3}, false, ""},
		{"one failed", build.Summary{Total: 3, Built: 2, Failed: 1}, false, "1 of 3 kernels failed to build"},
		{"one failed, keep going", build.Summary{Total: 3, Built: 2, Failed: 1}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := partialFailure(&tt.s, tt.keepGoing)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
