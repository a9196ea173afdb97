package probe

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probehub/probehub/sensor/event"
)

// record builds a probe record, as c/probe.c writes it, for tests.
func record(t event.Type, res int64, pid uint32, args ...[]byte) []byte {
	b := make([]byte, hdrSize)
	binary.LittleEndian.PutUint64(b[offRes:], uint64(res))
	binary.LittleEndian.PutUint32(b[offPID:], pid)
	binary.LittleEndian.PutUint32(b[offTID:], pid)
	binary.LittleEndian.PutUint16(b[offType:], uint16(t))
	binary.LittleEndian.PutUint16(b[offNArgs:], uint16(len(args)))
	copy(b[offComm:], "cat")
	for _, a := range args {
		b = append(b, a...)
	}
	binary.LittleEndian.PutUint16(b[offLen:], uint16(len(b)))
	return b
}

func arg(k kind, payload []byte) []byte {
	b := []byte{byte(k), 0, 0, 0}
	binary.LittleEndian.PutUint16(b[2:], uint16(len(payload)))
	return append(b, payload...)
}

func intArgBytes(v int64) []byte {
	return arg(kindInt, binary.LittleEndian.AppendUint64(nil, uint64(v)))
}

func FuzzDecode(f *testing.F) {
	f.Add(record(event.TypeOpenat, 3, 42, intArgBytes(3), intArgBytes(-100), arg(kindStr, []byte("/etc/passwd")),
		intArgBytes(0), intArgBytes(0), arg(kindCgroup, []byte("x.scope\x00kubepods.slice\x00"))))
	f.Add(record(event.TypeConnect, 0, 42, intArgBytes(3), arg(kindBytes, []byte{2, 0, 0x1f, 0x90, 127, 0, 0, 1}),
		arg(kindTuple, []byte{2, 1, 0x10, 0x27, 0x90, 0x1f, 127, 0, 0, 1, 127, 0, 0, 1})))
	f.Add(record(event.TypeExecve, 0, 42, arg(kindExecName, []byte("/bin/sh")), arg(kindArgv, []byte("sh\x00-c\x00")),
		arg(kindComponents, []byte("dash\x00bin\x00usr\x00"))))
	f.Add(record(event.TypeProcexit, 0, 42, intArgBytes(7<<8)))
	f.Add(record(event.TypeSendto, 8, 42, intArgBytes(3), intArgBytes(8), arg(kindBytes, []byte{2, 0, 0x1f, 0x90, 127, 0, 0, 1}),
		arg(kindData, []byte("cafebabe")), arg(kindTuple, []byte{2, 2, 0x10, 0x27, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})))
	f.Add(record(event.TypeRead, 4, 42, intArgBytes(5), intArgBytes(64), arg(kindData, []byte("abcd")),
		arg(kindTuple, append([]byte{1, 1, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1}, "/run/x.sock"...))))
	f.Add(record(event.TypeWrite, 4, 42, intArgBytes(5), intArgBytes(4), arg(kindData, []byte("abcd")), arg(kindFDPath, []byte("f\x00tmp\x00"))))
	f.Add(record(event.TypeExecve, 0, 42, arg(kindExecName, []byte("/bin/sh")), arg(kindArgv, []byte("sh\x00")),
		arg(kindComponents, []byte("sh\x00bin\x00")), arg(kindEnv, []byte("A=1\x00B=2\x00"))))
	f.Add(pollRecord())
	f.Add(record(event.TypePpoll, 0, 42, intArgBytes(0), intArgBytes(0), arg(kindFDList, nil)))
	f.Add([]byte{})
	seq := decodeSeq()
	f.Fuzz(func(t *testing.T, b []byte) {
		// Two decoders in the same state: one decodes b into a new event,
		// the other into the event of the record before, which must give
		// the same.
		prior := seq[len(b)%len(seq)]
		d, into := NewDecoder(), NewDecoder()
		into.boot = d.boot
		_, _ = d.Decode(prior)
		var reused event.Event
		_ = into.DecodeInto(prior, &reused)
		ev, err := d.Decode(b)
		if err == nil {
			_, _ = ev.Args.MarshalJSON()
		}
		err2 := into.DecodeInto(b, &reused)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("Decode: %v, DecodeInto: %v", err, err2)
		}
		if err == nil && !cmp.Equal(ev, reused) {
			t.Errorf("decoded into a used event differs: %s", cmp.Diff(ev, reused))
		}
	})
}

func TestDecode(t *testing.T) {
	d := NewDecoder()
	ev, err := d.Decode(record(event.TypeExecve, 0, 42, arg(kindExecName, []byte("/bin/sh")),
		arg(kindArgv, []byte("sh\x00-c\x00exit 7\x00")), arg(kindComponents, []byte("dash\x00bin\x00usr\x00")),
		arg(kindCgroup, []byte("cri-containerd-abc.scope\x00kubepods.slice\x00"))))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Proc.Exe != "sh" || len(ev.Proc.Args) != 2 || ev.Proc.ExePath != "/usr/bin/dash" ||
		ev.Proc.Cgroup != "/kubepods.slice/cri-containerd-abc.scope" || ev.Proc.Comm != "cat" {
		t.Errorf("decoded %+v", ev.Proc)
	}
	if _, err := d.Decode(record(event.TypeOpenat, 0, 1, arg(kindStr, []byte("x")))[:hdrSize+2]); err == nil {
		t.Error("truncated record decoded")
	}
}

// TestDecodeSocketsAndData decodes records as the probe writes them for
// the socket, I/O and exec additions.
func TestDecodeSocketsAndData(t *testing.T) {
	d := NewDecoder()
	unixTuple := append([]byte{1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}, "\x00abstract"...)
	for _, c := range []struct {
		name string
		rec  []byte
		want func(ev event.Event) bool
	}{
		{"udp sendto names its remote end", record(event.TypeSendto, 8, 42, intArgBytes(3), intArgBytes(8),
			arg(kindBytes, []byte{2, 0, 0x1f, 0x90, 127, 0, 0, 1}), arg(kindData, []byte("cafebabe")),
			arg(kindTuple, []byte{2, 2, 0x10, 0x27, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})),
			func(ev event.Event) bool {
				return string(ev.Buffer) == "cafebabe" && ev.FD.Name == "0.0.0.0:10000->127.0.0.1:8080" && ev.FD.NameChanged && !ev.FD.Server && ev.FD.L4Proto == "udp"
			}},
		{"abstract unix socket", record(event.TypeRead, 4, 42, intArgBytes(5), intArgBytes(64), arg(kindData, []byte("abcd")), arg(kindTuple, unixTuple)),
			func(ev event.Event) bool {
				tu, _ := ev.Args.String("tuple")
				return ev.FD.Type == 'u' && ev.FD.Name == "@abstract" && ev.FD.Connected && tu == "1->2 @abstract"
			}},
		{"file fd", record(event.TypeWrite, 4, 42, intArgBytes(5), intArgBytes(4), arg(kindData, []byte("abcd")), arg(kindFDPath, []byte("f\x00tmp\x00"))),
			func(ev event.Event) bool { return ev.FD.Type == 'f' && ev.FD.Name == "/tmp/f" && ev.FD.Num == 5 }},
		{"exec environment", record(event.TypeExecve, 0, 42, arg(kindExecName, []byte("/bin/sh")), arg(kindArgv, []byte("sh\x00")),
			arg(kindComponents, []byte("sh\x00bin\x00")), arg(kindEnv, []byte("A=1\x00B=2\x00"))),
			func(ev event.Event) bool { return len(ev.Proc.Env) == 2 && ev.Proc.Env[1] == "B=2" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev, err := d.Decode(c.rec)
			if err != nil {
				t.Fatal(err)
			}
			if ev.FD == nil && ev.Type != event.TypeExecve || !c.want(ev) {
				t.Errorf("decoded %+v fd %+v", ev, ev.FD)
			}
		})
	}
}
