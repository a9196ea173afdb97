package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/sensor/rules/k8saudit"
)

// FuzzTail feeds an audit log, as the kube-apiserver appends it, to the
// tail's line reader in reads of any size: no panic, no line held past
// MaxLineBytes, and never more lines or events counted than the text has
// newlines. Seeds are the real audit events of the k8saudit tests, one per
// line, as --audit-log-path writes them.
func FuzzTail(f *testing.F) {
	files, _ := filepath.Glob("../rules/k8saudit/testdata/events/*.json")
	var log []byte
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		var c bytes.Buffer
		if compactJSON(&c, b) == nil {
			log = append(append(log, c.Bytes()...), '\n')
		}
	}
	f.Add(log, uint16(4096))
	f.Add([]byte(line("a1")+"not json\n"+line("a2")[:20]), uint16(7))
	f.Add([]byte("\n\n{}\n[]\n"), uint16(1))
	f.Fuzz(func(t *testing.T, b []byte, step uint16) {
		tail := &Tail{Decoder: &k8saudit.Source{}, MaxLineBytes: 1024}
		r := &reader{t: tail, sink: func(context.Context, any) {}}
		n := max(int(step), 1)
		for p := b; len(p) > 0; p = p[min(n, len(p)):] {
			r.consume(context.Background(), p[:min(n, len(p))])
			if len(r.buf) > tail.MaxLineBytes {
				t.Fatalf("holding %d bytes of a line, limit %d", len(r.buf), tail.MaxLineBytes)
			}
		}
		st := tail.Stats()
		nl := uint64(bytes.Count(b, []byte("\n")))
		if st.Lines.Load()+st.TooLong.Load() > nl+1 || st.Malformed.Load() > st.Lines.Load() {
			t.Fatalf("%d lines, %d too long, %d malformed from %d newlines", st.Lines.Load(), st.TooLong.Load(), st.Malformed.Load(), nl)
		}
	})
}

func compactJSON(dst *bytes.Buffer, src []byte) error { return json.Compact(dst, src) }
