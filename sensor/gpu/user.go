package gpu

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// userCache resolves user names in a passwd file, re-reading it when its
// modification time changes.
type userCache struct {
	mu    sync.Mutex
	files map[string]passwdFile
}

type passwdFile struct {
	mtime time.Time
	uids  map[string]uint32
}

func (c *userCache) lookup(passwd, name string) (uint32, error) {
	fi, err := os.Stat(passwd)
	if err != nil {
		return 0, fmt.Errorf("stat passwd: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	pf, ok := c.files[passwd]
	if !ok || !pf.mtime.Equal(fi.ModTime()) {
		b, err := os.ReadFile(passwd)
		if err != nil {
			return 0, fmt.Errorf("read passwd: %w", err)
		}
		pf = passwdFile{mtime: fi.ModTime(), uids: parsePasswd(b)}
		if c.files == nil {
			c.files = map[string]passwdFile{}
		}
		c.files[passwd] = pf
	}
	uid, ok := pf.uids[name]
	if !ok {
		return 0, fmt.Errorf("user %s not in %s", name, passwd)
	}
	return uid, nil
}

// parsePasswd reads name:x:uid:... lines; malformed lines are skipped.
func parsePasswd(b []byte) map[string]uint32 {
	out := map[string]uint32{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.SplitN(sc.Bytes(), []byte(":"), 4)
		if len(f) < 4 || len(f[0]) == 0 {
			continue
		}
		uid, err := strconv.ParseUint(string(f[2]), 10, 32)
		if err != nil {
			continue
		}
		out[string(f[0])] = uint32(uid)
	}
	return out
}
