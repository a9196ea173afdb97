package probe

import (
	"encoding/binary"
	"testing"

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
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder()
		if ev, err := d.Decode(b); err == nil {
			_, _ = ev.Args.MarshalJSON()
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
