package matrix

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/wire/job"
	"github.com/probehub/probehub/wire/matrixrow"
)

// noteELF is a minimal ELF64 with one PT_NOTE segment holding notes.
func noteELF(notes ...[]byte) []byte {
	var body []byte
	for _, n := range notes {
		body = append(body, n...)
	}
	const ehsize, phsize = 64, 56
	b := make([]byte, ehsize+phsize)
	copy(b, "\x7fELF\x02\x01\x01")
	le := binary.LittleEndian
	le.PutUint16(b[16:], 2)  // ET_EXEC
	le.PutUint16(b[18:], 62) // EM_X86_64
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[32:], ehsize) // phoff
	le.PutUint16(b[52:], ehsize)
	le.PutUint16(b[54:], phsize)
	le.PutUint16(b[56:], 1) // phnum
	ph := b[ehsize:]
	le.PutUint32(ph[0:], 4)                  // PT_NOTE
	le.PutUint64(ph[8:], uint64(len(b)))     // offset
	le.PutUint64(ph[32:], uint64(len(body))) // filesz
	le.PutUint64(ph[40:], uint64(len(body))) // memsz
	return append(b, body...)
}

func note(name string, typ uint32, desc []byte) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, uint32(len(name)+1))
	b = le.AppendUint32(b, uint32(len(desc)))
	b = le.AppendUint32(b, typ)
	b = append(b, name+"\x00"...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	b = append(b, desc...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func TestHasPVHEntry(t *testing.T) {
	entry := []byte{0x50, 0x08, 0, 1, 0, 0, 0, 0}
	for _, c := range []struct {
		name string
		elf  []byte
		want bool
	}{
		{"pvh note after others", noteELF(note("GNU", 3, make([]byte, 20)), note("Xen", 6, []byte("linux\x00")), note("Xen", 18, entry)), true},
		{"xen notes without pvh", noteELF(note("Xen", 6, []byte("linux\x00")), note("Xen", 5, []byte("xen-3.0\x00"))), false},
		{"entry type under another name", noteELF(note("Linux", 18, entry)), false},
		{"no notes", noteELF(), false},
		{"not an elf", []byte("MZ not an elf at all"), false},
	} {
		if got := hasPVHEntry(c.elf); got != c.want {
			t.Errorf("%s: hasPVHEntry = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPhases(t *testing.T) {
	r := matrixrow.Row{BootSeconds: 6.5, Guest: job.Result{Timeline: []job.Mark{
		{Name: "init", MS: 2000}, {Name: "mounted", MS: 2040}, {Name: "sensor exec", MS: 2100},
		{Name: "sensor: kernel types", MS: 2600}, {Name: "sensor: sensor running", MS: 5200},
		{Name: "actions", MS: 5201}, {Name: "result", MS: 5600},
	}}}
	want := []job.Mark{{Name: "firmware", MS: 900}, {Name: "kernel", MS: 2000}, {Name: "guest", MS: 100},
		{Name: "sensor start", MS: 500}, {Name: "probe load", MS: 2600}, {Name: "detections", MS: 400}}
	got := r.Phases()
	if len(got) != len(want) {
		t.Fatalf("Phases = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("phase %d = %v, want %v", i, got[i], want[i])
		}
	}
	// A sensor that never logged its start leaves the phases after it out.
	r.Guest.Timeline = []job.Mark{{Name: "init", MS: 2000}, {Name: "sensor exec", MS: 2100}, {Name: "result", MS: 6000}}
	if got := r.Phases(); len(got) != 3 || got[2].Name != "guest" {
		t.Errorf("Phases without sensor logs = %v, want firmware, kernel, guest", got)
	}
}

func TestLongestFirst(t *testing.T) {
	ks := []Kernel{{Name: "a"}, {Name: "b"}, {Name: "new"}, {Name: "c"}, {Name: "d"}}
	last := map[string]float64{"a": 4, "b": 9, "c": 6.5, "d": 4}
	got := longestFirst(ks, last)
	want := []int{2, 1, 3, 0, 4} // never timed, 9, 6.5, then 4 and 4 in definition order
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("longestFirst = %v, want %v", got, want)
		}
	}
	if got := longestFirst(ks, nil); got[0] != 0 || got[4] != 4 {
		t.Errorf("without times: %v, want the definition order", got)
	}
}

// TestMinBTFCache: with a key, the minimizer runs once per input file
// version.
func TestMinBTFCache(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "linux-image-6.1.0-9-amd64_6.1.27-1_amd64.deb")
	if err := os.WriteFile(input, []byte("v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := 0
	o := Options{CacheDir: filepath.Join(dir, "cache"), MinBTFKey: "k1",
		MinBTF: func(_ context.Context, deb, arch string) ([]byte, error) {
			calls++
			b, err := os.ReadFile(deb)
			return append([]byte("btf of "+arch+" "), b...), err
		}}
	for range 2 {
		if b, err := o.minBTF(context.Background(), input, "amd64"); err != nil || string(b) != "btf of amd64 v1" {
			t.Fatalf("minBTF = %q, %v", b, err)
		}
	}
	if calls != 1 {
		t.Fatalf("minimizer ran %d times for one input, want 1", calls)
	}
	if err := os.WriteFile(input, []byte("v2!"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := o.minBTF(context.Background(), input, "amd64"); err != nil || string(b) != "btf of amd64 v2!" || calls != 2 {
		t.Fatalf("after the input changed: %q, %v, %d calls", b, err, calls)
	}
	if b, err := o.minBTF(context.Background(), input, "arm64"); err != nil || string(b) != "btf of arm64 v2!" || calls != 3 {
		t.Fatalf("another arch reused the cache: %q, %v, %d calls", b, err, calls)
	}
	o.MinBTFKey = "k2"
	if _, err := o.minBTF(context.Background(), input, "amd64"); err != nil || calls != 4 {
		t.Fatalf("another key reused the cache: %v, %d calls", err, calls)
	}
}

// TestQEMUArgs: arm64 rows boot the virt board with the PL011 console.
func TestQEMUArgs(t *testing.T) {
	bin, args := qemuArgs("arm64", "tcg", "Image", "initrd", "log")
	joined := strings.Join(args, " ")
	if bin != "qemu-system-aarch64" || !strings.Contains(joined, "-machine virt,accel=tcg") ||
		!strings.Contains(joined, "-cpu max,pauth=off") || !strings.Contains(joined, "console=ttyAMA0 ") {
		t.Errorf("arm64: %s %s", bin, joined)
	}
	bin, args = qemuArgs("amd64", "kvm", "vmlinux", "initrd", "log")
	joined = strings.Join(args, " ")
	if bin != "qemu-system-x86_64" || !strings.Contains(joined, "-machine q35,accel=kvm") ||
		!strings.Contains(joined, "console=ttyS0 ") || !strings.Contains(joined, "-cpu host") {
		t.Errorf("amd64: %s %s", bin, joined)
	}
}
