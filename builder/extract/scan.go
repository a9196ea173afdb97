package extract

import (
	"bytes"
	"encoding/binary"
)

// btfSignature starts every vmlinux BTF: magic 0xeB9F (little-endian),
// version 1, flags 0, hdr_len 24.
var btfSignature = []byte{0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00}

const btfHeaderLen = 24

// btfLen returns the length of the BTF blob whose header starts b, or false
// when the header is not one of a well-formed blob.
func btfLen(b []byte) (int, bool) {
	if len(b) < btfHeaderLen || !bytes.HasPrefix(b, btfSignature) {
		return 0, false
	}
	typeOff := binary.LittleEndian.Uint32(b[8:])
	typeLen := binary.LittleEndian.Uint32(b[12:])
	strOff := binary.LittleEndian.Uint32(b[16:])
	strLen := binary.LittleEndian.Uint32(b[20:])
	if typeOff != 0 || strOff < typeLen || strLen == 0 {
		return 0, false
	}
	n := uint64(btfHeaderLen) + uint64(strOff) + uint64(strLen)
	if n > sizeLimit {
		return 0, false
	}
	return int(n), true
}

// kernelStrings are names every vmlinux BTF carries and the BTF of a BPF
// object embedded in the kernel (bpf_preload, light skeletons) does not.
var kernelStrings = [][]byte{[]byte("\x00task_struct\x00"), []byte("\x00start_kernel\x00")}

// isKernelBTF reports whether blob looks like the kernel's own BTF rather
// than an embedded program's.
func isKernelBTF(blob []byte) bool {
	strOff := binary.LittleEndian.Uint32(blob[16:])
	strs := blob[btfHeaderLen+int(strOff):]
	for _, s := range kernelStrings {
		if !bytes.Contains(strs, s) {
			return false
		}
	}
	return true
}

var bannerPrefix = []byte("Linux version ")

// maxBanner bounds the length of a banner after its prefix.
const maxBanner = 512

// findBanner returns the first "Linux version <digit>…" string in b, up to
// its newline or NUL, and whether it was complete within b.
func findBanner(b []byte) (string, int, bool) {
	from := 0
	for {
		i := bytes.Index(b[from:], bannerPrefix)
		if i < 0 {
			return "", max(0, len(b)-len(bannerPrefix)), false
		}
		at := from + i
		rest := b[at+len(bannerPrefix):]
		if len(rest) == 0 {
			return "", at, false
		}
		if rest[0] < '0' || rest[0] > '9' {
			from = at + 1
			continue
		}
		end := bytes.IndexAny(rest[:min(len(rest), maxBanner)], "\n\x00")
		if end < 0 && len(rest) < maxBanner {
			return "", at, false
		}
		if end < 0 {
			from = at + 1
			continue
		}
		return string(b[at : at+len(bannerPrefix)+end]), at, true
	}
}

// scanner watches a vmlinux being decompressed for the BTF and the banner.
type scanner struct {
	btfFrom    int // next index to search for btfSignature
	bannerFrom int
	pending    int // index of a BTF header waiting for its blob, or -1
	btf        []byte
	banner     string
}

func newScanner() *scanner { return &scanner{pending: -1} }

// done reports whether both were found.
func (s *scanner) done() bool { return s.btf != nil && s.banner != "" }

// feed examines buf[:ready], the bytes that are final so far.
func (s *scanner) feed(buf []byte, ready int) {
	if s.banner == "" {
		b, next, ok := findBanner(buf[s.bannerFrom:ready])
		if ok {
			s.banner = b
		}
		s.bannerFrom += next
	}
	for s.btf == nil {
		if s.pending >= 0 {
			n, _ := btfLen(buf[s.pending:ready])
			if s.pending+n > ready {
				return
			}
			if blob := buf[s.pending : s.pending+n]; isKernelBTF(blob) {
				s.btf = blob
				return
			}
			s.btfFrom, s.pending = s.pending+1, -1
		}
		if !s.nextCandidate(buf, ready) {
			return
		}
	}
}

// nextCandidate finds the next well-formed BTF header before ready.
func (s *scanner) nextCandidate(buf []byte, ready int) bool {
	for {
		i := bytes.Index(buf[s.btfFrom:ready], btfSignature)
		if i < 0 {
			s.btfFrom = max(s.btfFrom, ready-btfHeaderLen)
			return false
		}
		at := s.btfFrom + i
		if ready-at < btfHeaderLen {
			s.btfFrom = at
			return false
		}
		if _, ok := btfLen(buf[at:ready]); ok {
			s.pending = at
			return true
		}
		s.btfFrom = at + 1
	}
}
