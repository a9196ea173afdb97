package probe

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probehub/probehub/sensor/event"
)

// decodeSeq is a stream of records of different shapes: each one decoded
// into the Event of the one before must come out as decoded fresh.
func decodeSeq() [][]byte {
	cg := arg(kindCgroup, []byte("x.scope\x00kubepods.slice\x00"))
	return [][]byte{
		record(event.TypeConnect, 0, 42, intArgBytes(3), arg(kindBytes, []byte{2, 0, 0x1f, 0x90, 127, 0, 0, 1}),
			arg(kindTuple, []byte{2, 1, 0x10, 0x27, 0x90, 0x1f, 127, 0, 0, 1, 127, 0, 0, 1})),
		record(event.TypeOpenat, 3, 42, intArgBytes(3), intArgBytes(-100), arg(kindStr, []byte("/etc/passwd")),
			intArgBytes(0), intArgBytes(0), cg),
		record(event.TypeOpenat, -2, 43, intArgBytes(-2), intArgBytes(-100), arg(kindStr, []byte("/nonexistent")),
			intArgBytes(0), intArgBytes(0)),
		record(event.TypeExecve, 0, 44, arg(kindExecName, []byte("/bin/sh")), arg(kindArgv, []byte("sh\x00-c\x00")),
			arg(kindComponents, []byte("dash\x00bin\x00usr\x00")), arg(kindEnv, []byte("A=1\x00B=2\x00"))),
		record(event.TypeSendto, 8, 42, intArgBytes(3), intArgBytes(8), arg(kindBytes, []byte{2, 0, 0x1f, 0x90, 127, 0, 0, 1}),
			arg(kindData, []byte("cafebabe")), arg(kindTuple, []byte{2, 2, 0x10, 0x27, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})),
		record(event.TypeProcexit, 0, 44, intArgBytes(7<<8)),
		record(event.TypeWrite, 4, 42, intArgBytes(5), intArgBytes(4), arg(kindData, []byte("abcd")), arg(kindFDPath, []byte("f\x00tmp\x00"))),
		record(event.TypeOpenat, 3, 42, intArgBytes(3), intArgBytes(-100), arg(kindStr, []byte("/etc/passwd")),
			intArgBytes(0o200000), intArgBytes(0)),
	}
}

func TestDecodeIntoReuse(t *testing.T) {
	fresh, reused := NewDecoder(), NewDecoder()
	reused.boot = fresh.boot
	var ev event.Event
	var fd *event.FD // the last event's, nil when it had none
	for i, rec := range decodeSeq() {
		want, err := fresh.Decode(rec)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if err := reused.DecodeInto(rec, &ev); err != nil {
			t.Fatalf("record %d into: %v", i, err)
		}
		if d := cmp.Diff(want, ev); d != "" {
			t.Errorf("record %d (%s) decoded into the last event differs (-fresh +into):\n%s", i, want.Type, d)
		}
		if fd != nil && ev.FD != nil && ev.FD != fd {
			t.Errorf("record %d: FD not reused", i)
		}
		fd = ev.FD
	}
	if err := reused.DecodeInto(make([]byte, 3), &ev); err == nil || ev.Type != 0 || ev.Args != nil && len(ev.Args) != 0 {
		t.Errorf("short record: err %v, event %+v", err, ev)
	}
}

// openatRecords are an openat's first record from a cgroup (which
// carries the cgroup's path) and a later one.
func openatRecords() (first, later []byte) {
	args := [][]byte{intArgBytes(3), intArgBytes(-100), arg(kindStr, []byte("/etc/passwd")), intArgBytes(0), intArgBytes(0)}
	later = record(event.TypeOpenat, 3, 42, args...)
	first = record(event.TypeOpenat, 3, 42, append(args, arg(kindCgroup, []byte("x.scope\x00kubepods.slice\x00")))...)
	for _, r := range [][]byte{first, later} {
		le.PutUint64(r[offCgroupID:], 7)
	}
	return first, later
}

// TestDecodeIntoAllocs: an openat of a file seen before, from a task and
// cgroup seen before, decodes without allocating.
func TestDecodeIntoAllocs(t *testing.T) {
	d := NewDecoder()
	first, rec := openatRecords()
	var ev event.Event
	if err := d.DecodeInto(first, &ev); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = d.DecodeInto(rec, &ev) }); n != 0 {
		t.Errorf("%v allocations per decode, want 0", n)
	}
	if ev.FD == nil || ev.FD.Name != "/etc/passwd" || ev.Proc.Cgroup != "/kubepods.slice/x.scope" || ev.Proc.Comm != "cat" {
		t.Errorf("decoded %+v fd %+v", ev.Proc, ev.FD)
	}
}

// TestDecodeIntoSocketAllocs: a read on a connected TCP socket seen before
// allocates only the copy of its data.
func TestDecodeIntoSocketAllocs(t *testing.T) {
	d := NewDecoder()
	rec := record(event.TypeRead, 4, 42, intArgBytes(5), intArgBytes(64), arg(kindData, []byte("abcd")),
		arg(kindTuple, []byte{2, 1, 0x10, 0x27, 0x90, 0x1f, 127, 0, 0, 1, 127, 0, 0, 2}))
	var ev event.Event
	if err := d.DecodeInto(rec, &ev); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = d.DecodeInto(rec, &ev) }); n != 1 {
		t.Errorf("%v allocations per decode, want 1 (the data)", n)
	}
	tu, _ := ev.Args.String("tuple")
	if ev.FD == nil || ev.FD.Name != "127.0.0.1:10000->127.0.0.2:8080" || tu != ev.FD.Name || ev.FD.CIP != "127.0.0.1" ||
		ev.FD.SIP != "127.0.0.2" || ev.FD.SPort != 8080 || string(ev.Buffer) != "abcd" {
		t.Errorf("decoded fd %+v tuple %q buffer %q", ev.FD, tu, ev.Buffer)
	}
}

func TestAppendPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"\x00", "/"},
		{"\x00\x00", "/"},
		{"passwd\x00etc\x00", "/etc/passwd"},
		{"passwd\x00etc", "/etc/passwd"},
		{"dash\x00bin\x00usr\x00", "/usr/bin/dash"},
		{"a\x00\x00b\x00", "/b//a"},
		{"x", "/x"},
	} {
		if got := string(appendPath(nil, []byte(c.in))); got != c.want {
			t.Errorf("appendPath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzAppendPath checks appendPath against the plain definition.
func FuzzAppendPath(f *testing.F) {
	for _, s := range []string{"", "\x00", "passwd\x00etc\x00", "a\x00\x00b\x00", "x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := ""
		if len(b) > 0 {
			want = "/" + strings.Join(components(b), "/")
		}
		if got := string(appendPath([]byte("keep"), b)); got != "keep"+want {
			t.Errorf("appendPath(%q) = %q, want %q", b, got, "keep"+want)
		}
	})
}

func TestInterner(t *testing.T) {
	var in interner
	a := in.bytes([]byte("/etc/passwd"))
	b := in.bytes([]byte("/etc/passwd"))
	if a != "/etc/passwd" || b != a || in.bytes(nil) != "" {
		t.Errorf("interned %q %q", a, b)
	}
	if n := testing.AllocsPerRun(100, func() { _ = in.bytes([]byte("/etc/passwd")) }); n != 0 {
		t.Errorf("%v allocations for a string held, want 0", n)
	}
	long := strings.Repeat("x", maxInternLen+1)
	if in.bytes([]byte(long)) != long || len(in.m) != 1 {
		t.Errorf("a long string was held: %d strings", len(in.m))
	}
	for i := range maxInterned + 10 {
		in.bytes([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
	}
	if len(in.m) > maxInterned {
		t.Errorf("%d strings held, bound %d", len(in.m), maxInterned)
	}
}

// BenchmarkDecodeInto is the decoder's cost for an openat record into a
// reused event (what the capture loop does for most events).
func BenchmarkDecodeInto(b *testing.B) {
	d := NewDecoder()
	first, rec := openatRecords()
	var ev event.Event
	if err := d.DecodeInto(first, &ev); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := d.DecodeInto(rec, &ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode is BenchmarkDecodeInto into a new event each time.
func BenchmarkDecode(b *testing.B) {
	d := NewDecoder()
	first, rec := openatRecords()
	if _, err := d.Decode(first); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Decode(rec); err != nil {
			b.Fatal(err)
		}
	}
}
