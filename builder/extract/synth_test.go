package extract

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/pierrec/lz4/v4"
)

// synthBTF is a small BTF that passes for a kernel's (it names
// task_struct and start_kernel).
func synthBTF(t testing.TB) []byte {
	t.Helper()
	i := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	task := &btf.Struct{Name: "task_struct", Size: 4, Members: []btf.Member{{Name: "pid", Type: i}}}
	fn := &btf.Func{Name: "start_kernel", Type: &btf.FuncProto{Return: i}, Linkage: btf.GlobalFunc}
	b, err := btf.NewBuilder([]btf.Type{task, fn}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// synthVmlinux is not an ELF, but has what the scan looks for: a banner,
// then the BTF, between filler of the given kind.
func synthVmlinux(t testing.TB, banner string, raw []byte) []byte {
	v := sample("text", 3<<20)
	v = append(v, banner+"\n\x00"...)
	v = append(v, sample("mixed", 9<<20)...)
	v = append(v, raw...)
	return append(v, sample("text", 2<<20)...)
}

// lz4Frame compresses data in the kernel's LZ4 legacy format.
func lz4Frame(t testing.TB, data []byte) []byte {
	frame := binary.LittleEndian.AppendUint32(nil, lz4LegacyMagic)
	for b := data; len(b) > 0; b = b[min(len(b), lz4LegacyBlock):] {
		c := make([]byte, lz4.CompressBlockBound(lz4LegacyBlock))
		n, err := lz4.CompressBlock(b[:min(len(b), lz4LegacyBlock)], c, nil)
		if err != nil {
			t.Fatal(err)
		}
		frame = binary.LittleEndian.AppendUint32(frame, uint32(n))
		frame = append(frame, c[:n]...)
	}
	return frame
}

// fakeBzImage wraps a payload of an uncompressed size in a minimal x86
// setup header (boot protocol 2.15, one setup sector).
func fakeBzImage(p []byte, size uint32) []byte {
	img := make([]byte, 1024, 1024+len(p)+4096)
	img[offSetupSects] = 1
	copy(img[offHeaderMagic:], "HdrS")
	binary.LittleEndian.PutUint16(img[offBootVersion:], 0x020f)
	binary.LittleEndian.PutUint32(img[offPayloadOffset:], 0)
	binary.LittleEndian.PutUint32(img[offPayloadLength:], uint32(len(p)+4))
	binary.LittleEndian.PutUint32(img[offInitSize:], size+4096)
	img = append(img, p...)
	img = binary.LittleEndian.AppendUint32(img, size)
	return append(img, make([]byte, 4096)...) // the decompressor's code
}

// fakeDeb builds a .deb whose data.tar.gz holds boot/vmlinuz-<release>
// after other files.
func fakeDeb(t testing.TB, release string, image []byte) []byte {
	var tb bytes.Buffer
	zw := gzip.NewWriter(&tb)
	tw := tar.NewWriter(zw)
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"./boot/config-" + release, []byte("CONFIG_DEBUG_INFO_BTF=y\n")},
		{"./boot/vmlinuz-" + release, image},
		{"./lib/modules/" + release + "/modules.order", sample("text", 1<<20)},
	} {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg})
		tw.Write(f.data)
	}
	tw.Close()
	zw.Close()
	var ar bytes.Buffer
	ar.WriteString(arMagic)
	for _, m := range []struct {
		name string
		data []byte
	}{{"debian-binary", []byte("2.0\n")}, {"data.tar.gz", tb.Bytes()}} {
		fmt.Fprintf(&ar, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 0, 0, 0, "100644", len(m.data))
		ar.Write(m.data)
		if len(m.data)%2 == 1 {
			ar.WriteByte('\n')
		}
	}
	return ar.Bytes()
}

// TestSynthDeb runs the streaming .deb pipeline on a synthetic package
// (short mode, so -race covers the fill and decode goroutines).
//
// Slow: builds a synthetic BTF and vmlinux and streams them through the
// .deb pipeline's goroutines under -race (30 s).
func TestSynthDeb(t *testing.T) {
	t.Log("slow: builds a synthetic BTF and vmlinux and streams them through the .deb pipeline's goroutines under -race (30 s)")
	raw := synthBTF(t)
	const banner = "Linux version 6.99.0-1-synth (builder@probehub) #1 SMP"
	vmlinux := synthVmlinux(t, banner, raw)
	image := fakeBzImage(lz4Frame(t, vmlinux), uint32(len(vmlinux)))
	deb := fakeDeb(t, "6.99.0-1-synth", image)
	res, err := FromDeb(context.Background(), bytes.NewReader(deb), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.BTF, raw) || res.Banner != banner || res.Release != "6.99.0-1-synth" ||
		res.Compression != CompressionLZ4 || res.ImagePath != "boot/vmlinuz-6.99.0-1-synth" {
		t.Fatalf("got %v (banner %q, compression %s, image %s)", res, res.Banner, res.Compression, res.ImagePath)
	}
	t.Run("truncated", func(t *testing.T) {
		_, err := FromDeb(context.Background(), bytes.NewReader(deb[:len(deb)/4]), nil)
		var e *Error
		if !errors.As(err, &e) || e.Stage != StageTar {
			t.Fatalf("error %v: want stage tar", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := FromDeb(ctx, bytes.NewReader(deb), nil); err == nil {
			t.Fatal("no error from a cancelled context")
		}
	})
}
