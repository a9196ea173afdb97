package apt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
)

// ErrSignature is wrapped by every signature failure: a Release file
// without a valid signature from the keyring, or one that cannot be read.
var ErrSignature = errors.New("bad signature")

// ErrNoKeyring is wrapped when no keyring is known for a distribution and
// none was given.
var ErrNoKeyring = errors.New("no keyring")

// DefaultKeyrings are where the distributions' archive keyrings live once
// their packages are installed: debian-archive-keyring (in Debian) and
// ubuntu-keyring (in Ubuntu, and in Debian from 13; hack/setup.sh installs
// trixie's package on Debian 12).
var DefaultKeyrings = map[string][]string{
	"debian": {"/usr/share/keyrings/debian-archive-keyring.pgp", "/usr/share/keyrings/debian-archive-keyring.gpg"},
	"ubuntu": {"/usr/share/keyrings/ubuntu-archive-keyring.pgp", "/usr/share/keyrings/ubuntu-archive-keyring.gpg"},
}

// Keyring is the set of OpenPGP public keys a repository's Release files
// must be signed with.
type Keyring struct {
	Path     string // where it was read from, for messages
	entities openpgp.EntityList
}

// LoadKeyring reads a keyring file: binary (.gpg, .pgp) or ASCII-armoured
// (.asc), one or more keys.
func LoadKeyring(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read keyring: %w", err)
	}
	var el openpgp.EntityList
	if bytes.Contains(b[:min(len(b), 64)], []byte("-----BEGIN PGP")) {
		el, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(b))
	} else if err = packetsComplete(b); err == nil {
		// ReadKeyRing keeps the keys before a damaged one: a keyring cut
		// short would lose keys without a word, hence the framing check.
		el, err = openpgp.ReadKeyRing(bytes.NewReader(b))
	}
	if err != nil {
		return nil, fmt.Errorf("read keyring %s: %w", path, err)
	}
	if len(el) == 0 {
		return nil, fmt.Errorf("read keyring %s: no keys", path)
	}
	return &Keyring{Path: path, entities: el}, nil
}

// packetsComplete walks the OpenPGP packet framing (RFC 4880 §4.2) of a
// binary keyring and reports a file that does not end on a packet
// boundary (truncated) or holds no packet framing at all.
func packetsComplete(b []byte) error {
	for off := 0; off < len(b); {
		tag := b[off]
		if tag&0x80 == 0 {
			return fmt.Errorf("byte %d: not an OpenPGP packet", off)
		}
		var hdr, n int64
		need := func(k int) bool { return off+k <= len(b) }
		if tag&0x40 != 0 { // new format
			if !need(2) {
				return fmt.Errorf("byte %d: truncated packet header", off)
			}
			switch l0 := int64(b[off+1]); {
			case l0 < 192:
				hdr, n = 2, l0
			case l0 < 224:
				if !need(3) {
					return fmt.Errorf("byte %d: truncated packet header", off)
				}
				hdr, n = 3, (l0-192)<<8+int64(b[off+2])+192
			case l0 == 255:
				if !need(6) {
					return fmt.Errorf("byte %d: truncated packet header", off)
				}
				hdr, n = 6, int64(binary.BigEndian.Uint32(b[off+2:]))
			default:
				return fmt.Errorf("byte %d: partial body length, not in a keyring", off)
			}
		} else { // old format
			switch tag & 3 {
			case 0:
				hdr = 2
			case 1:
				hdr = 3
			case 2:
				hdr = 5
			default:
				return fmt.Errorf("byte %d: indeterminate packet length, not in a keyring", off)
			}
			if !need(int(hdr)) {
				return fmt.Errorf("byte %d: truncated packet header", off)
			}
			for _, c := range b[off+1 : off+int(hdr)] {
				n = n<<8 | int64(c)
			}
		}
		if int64(off)+hdr+n > int64(len(b)) {
			return fmt.Errorf("byte %d: packet of %d bytes, %d left: truncated", off, n, int64(len(b)-off)-hdr)
		}
		off += int(hdr + n)
	}
	return nil
}

// KeyIDs returns the long (16 hex digit, upper-case) key IDs of the
// keyring's primary keys, in file order.
func (k *Keyring) KeyIDs() []string {
	out := make([]string, len(k.entities))
	for i, e := range k.entities {
		out[i] = fmt.Sprintf("%016X", e.PrimaryKey.KeyId)
	}
	return out
}

// DefaultKeyring loads the first installed keyring of DefaultKeyrings for
// the distribution (os-release ID).
func DefaultKeyring(distro string) (*Keyring, error) {
	for _, p := range DefaultKeyrings[distro] {
		if _, err := os.Stat(p); err == nil {
			return LoadKeyring(p)
		}
	}
	hint := "give one with --keyring FILE"
	switch distro {
	case "debian":
		hint = "apt-get install debian-archive-keyring, or " + hint
	case "ubuntu":
		hint = "apt-get install ubuntu-keyring (Ubuntu, Debian 13; hack/setup.sh fetches it on Debian 12), or " + hint
	}
	return nil, fmt.Errorf("%w for %q (looked for %s): %s", ErrNoKeyring, distro, strings.Join(DefaultKeyrings[distro], ", "), hint)
}

// VerifyInRelease checks a clearsigned InRelease file (name is its URL or
// path, for messages) and returns the signed text.
func (k *Keyring) VerifyInRelease(name string, data []byte) ([]byte, error) {
	b, _ := clearsign.Decode(data)
	if b == nil {
		return nil, fmt.Errorf("%s: not a clearsigned file: %w", name, ErrSignature)
	}
	if _, err := b.VerifySignature(k.entities, nil); err != nil {
		return nil, fmt.Errorf("%s: %w: %w (keyring %s)", name, ErrSignature, err, filepath.Base(k.Path))
	}
	return b.Plaintext, nil
}

// VerifyDetached checks a Release file against its Release.gpg.
func (k *Keyring) VerifyDetached(name string, data, sig []byte) error {
	var err error
	if bytes.HasPrefix(bytes.TrimSpace(sig), []byte("-----BEGIN PGP")) {
		_, err = openpgp.CheckArmoredDetachedSignature(k.entities, bytes.NewReader(data), bytes.NewReader(sig), nil)
	} else {
		_, err = openpgp.CheckDetachedSignature(k.entities, bytes.NewReader(data), bytes.NewReader(sig), nil)
	}
	if err != nil {
		return fmt.Errorf("%s: %w: %w (keyring %s)", name, ErrSignature, err, filepath.Base(k.Path))
	}
	return nil
}
