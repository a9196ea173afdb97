package proctable

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
)

// Users maps uids and gids to names from a passwd and a group file (the
// host's, for a DaemonSet). Reload swaps the maps atomically.
type Users struct {
	passwd, group string
	m             atomic.Pointer[idNames]
}

type idNames struct {
	users, groups map[uint32]string
	info          map[uint32][2]string // uid → home, shell
}

// LoadUsers reads passwd and group files (e.g. /etc/passwd, /etc/group).
func LoadUsers(passwd, group string) (*Users, error) {
	u := &Users{passwd: passwd, group: group}
	return u, u.Reload()
}

// Reload rereads both files. Users from a snapshot (UsersOf) have none:
// Reload fails.
func (u *Users) Reload() error {
	if u.passwd == "" {
		return errors.New("reload users: they came from a snapshot, not files")
	}
	users, err := readIDFile(u.passwd, 2)
	if err != nil {
		return err
	}
	groups, err := readIDFile(u.group, 2)
	if err != nil {
		return err
	}
	info, err := readUserInfo(u.passwd)
	if err != nil {
		return err
	}
	u.m.Store(&idNames{users: users, groups: groups, info: info})
	return nil
}

// Info returns the home directory and login shell of uid (user.homedir,
// user.shell).
func (u *Users) Info(uid uint32) (home, shell string, ok bool) {
	i, ok := u.m.Load().info[uid]
	return i[0], i[1], ok
}

// readUserInfo reads the home and shell fields of a passwd file: the
// first entry of each uid.
func readUserInfo(path string) (map[uint32][2]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	out := map[uint32][2]string{}
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 7 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if id, err := strconv.ParseUint(f[2], 10, 32); err == nil {
			if _, dup := out[uint32(id)]; !dup {
				out[uint32(id)] = [2]string{f[5], f[6]}
			}
		}
	}
	return out, nil
}

// User returns the name of uid, or "" when unknown.
func (u *Users) User(uid uint32) string { return u.m.Load().users[uid] }

// Group returns the name of gid, or "" when unknown.
func (u *Users) Group(gid uint32) string { return u.m.Load().groups[gid] }

func readIDFile(path string, idField int) (map[uint32]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return parseIDs(b, idField), nil
}

// parseIDs maps the ids in field idField of passwd or group lines
// ("name:x:id:…") to their names, the first name winning; comments, short
// lines and lines whose id is no uint32 are skipped. Lines of any length
// are read (a group with many members can pass 64 KiB).
func parseIDs(b []byte, idField int) map[uint32]string {
	out := map[uint32]string{}
	for line := range bytes.Lines(b) {
		f := strings.Split(strings.TrimRight(string(line), "\r\n"), ":")
		if len(f) <= idField || strings.HasPrefix(f[0], "#") {
			continue
		}
		if id, err := strconv.ParseUint(f[idField], 10, 32); err == nil {
			if _, dup := out[uint32(id)]; !dup {
				out[uint32(id)] = f[0]
			}
		}
	}
	return out
}

// Names returns a copy of the uid → user name map.
func (u *Users) Names() map[uint32]string {
	m := u.m.Load().users
	out := make(map[uint32]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
