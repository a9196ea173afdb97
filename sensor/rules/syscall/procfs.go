package syscall

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/probehub/probehub/sensor/event"
)

// WithProcFS makes the fields of live process state that events do not
// carry (memory, threads, page faults, open fds and their types, cgroups,
// the executable's write permission) read the process's files under root,
// normally /proc (a DaemonSet passes the host's), when a rule asks for
// them. Only for live capture: a replayed event's process is gone. The
// default, "", leaves those fields missing.
func WithProcFS(root string) Option {
	return func(s *Source) { s.procRoot, s.dir = root, event.ProcDirLookup(root) }
}

// WithDirLookup sets where evt.abspath and fs.path.* find the directory
// that a dirfd names: the process table's (proctable.Table.DirLookup),
// which knows the directory fds a process opened, as of the event being
// evaluated, even once closed, and falls back to /proc. It wins over
// WithProcFS's /proc lookup. The default is WithProcFS's, or none.
func WithDirLookup(l event.DirLookup) Option {
	return func(s *Source) { s.dirTable = l }
}

// WithUserInfo sets what resolves a uid to its home directory and login
// shell (user.homedir, user.shell), e.g. from the host's passwd file.
func WithUserInfo(f func(uid uint32) (home, shell string, ok bool)) Option {
	return func(s *Source) { s.userInfo = f }
}

// procFile reads root/PID/name (or root/PID/task/TID/name when tid is
// set), once per event.
func (s *Source) procFile(pid, tid uint32, name string) ([]byte, bool) {
	if s.procRoot == "" || pid == 0 {
		return nil, false
	}
	p := s.procRoot + "/" + strconv.FormatUint(uint64(pid), 10)
	if tid != 0 {
		p += "/task/" + strconv.FormatUint(uint64(tid), 10)
	}
	p += "/" + name
	if s.c.procGen != s.c.gen {
		clear(s.c.procFiles)
		s.c.procGen = s.c.gen
	}
	if b, ok := s.c.procFiles[p]; ok {
		return b, b != nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		b = nil
	}
	if s.c.procFiles == nil {
		s.c.procFiles = map[string][]byte{}
	}
	s.c.procFiles[p] = b
	return b, b != nil
}

// statusValue returns the first number of a "Key:\tvalue" line of a
// /proc status file; last takes the last one (NSpid's innermost).
func statusValue(b []byte, key string, last bool) (int64, bool) {
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		v, ok := bytes.CutPrefix(line, []byte(key+":"))
		if !ok {
			continue
		}
		f := strings.Fields(string(v))
		if len(f) == 0 {
			return 0, false
		}
		i := 0
		if last {
			i = len(f) - 1
		}
		n, err := strconv.ParseInt(f[i], 10, 64)
		return n, err == nil
	}
	return 0, false
}

// statField returns field n (0 = state) after the comm of a /proc stat file.
func statField(b []byte, n int) (int64, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if n >= len(f) {
		return 0, false
	}
	v, err := strconv.ParseInt(f[n], 10, 64)
	return v, err == nil
}

// fdLink is where /proc/PID/fd/N points: a path, or "socket:[INO]",
// "pipe:[INO]", "anon_inode:[eventfd]", ….
func (s *Source) fdLink(pid uint32, fd int64) (string, bool) {
	if s.procRoot == "" || pid == 0 || fd < 0 {
		return "", false
	}
	l, err := os.Readlink(filepath.Join(s.procRoot, strconv.FormatUint(uint64(pid), 10), "fd", strconv.FormatInt(fd, 10)))
	return l, err == nil
}

// fdType is libsinsp's fd type name of an fd link (fd.types values).
func (s *Source) fdType(pid uint32, link string) string {
	switch {
	case strings.HasPrefix(link, "socket:["):
		if t, _, ok := s.socketOf(pid, link); ok {
			return t
		}
		return "unknown"
	case strings.HasPrefix(link, "pipe:"):
		return "pipe"
	case strings.HasPrefix(link, "/memfd:"):
		return "memfd"
	case strings.HasPrefix(link, "anon_inode:"):
		switch strings.Trim(strings.TrimPrefix(link, "anon_inode:"), "[]") {
		case "eventfd":
			return "event"
		case "signalfd":
			return "signalfd"
		case "eventpoll":
			return "eventpoll"
		case "inotify":
			return "inotify"
		case "timerfd":
			return "timerfd"
		case "bpf-map", "bpf-prog", "bpf_link", "bpf-link":
			return "bpf"
		case "userfaultfd":
			return "userfaultfd"
		case "io_uring":
			return "io_uring"
		case "memfd":
			return "memfd"
		}
		return "unknown"
	case strings.HasPrefix(link, "/"):
		return "file"
	}
	return "unknown"
}

// socketOf finds a socket inode in the process's network namespace tables
// and returns its type (ipv4, ipv6, unix, netlink) and libsinsp's name of
// it (laddr:lport->raddr:rport, a unix path).
func (s *Source) socketOf(pid uint32, link string) (string, string, bool) {
	ino := strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")
	for _, tbl := range []struct{ file, typ string }{
		{"tcp", "ipv4"}, {"udp", "ipv4"}, {"raw", "ipv4"}, {"tcp6", "ipv6"}, {"udp6", "ipv6"}, {"raw6", "ipv6"},
		{"unix", "unix"}, {"netlink", "netlink"},
	} {
		b, ok := s.procFile(pid, 0, "net/"+tbl.file)
		if !ok {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Scan() // the header
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch tbl.typ {
			case "ipv4", "ipv6":
				if len(f) > 9 && f[9] == ino {
					return tbl.typ, hexAddr(f[1]) + "->" + hexAddr(f[2]), true
				}
			case "unix":
				if len(f) > 6 && f[6] == ino {
					if len(f) > 7 {
						return "unix", f[7], true
					}
					return "unix", "", true
				}
			case "netlink":
				if len(f) > 9 && f[9] == ino {
					return "netlink", "", true
				}
			}
		}
	}
	return "", "", false
}

// hexAddr renders a /proc/net address "0100007F:1F90" (the address in the
// kernel's byte order, 32-bit words, then the port) as "127.0.0.1:8080".
func hexAddr(s string) string {
	a, p, ok := strings.Cut(s, ":")
	raw, err := hex.DecodeString(a)
	port, perr := strconv.ParseUint(p, 16, 16)
	if !ok || err != nil || perr != nil || len(raw)%4 != 0 {
		return s
	}
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(raw[i:], binary.LittleEndian.Uint32(raw[i:]))
	}
	ip, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(ip.Unmap(), uint16(port)).String()
}

// fdTypes lists the distinct types of the process's open fds, sorted.
func (s *Source) fdTypes(pid uint32) ([]string, bool) {
	if s.procRoot == "" || pid == 0 {
		return nil, false
	}
	dir := filepath.Join(s.procRoot, strconv.FormatUint(uint64(pid), 10), "fd")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, false
	}
	var out []string
	for _, d := range ents {
		l, err := os.Readlink(filepath.Join(dir, d.Name()))
		if err != nil {
			continue
		}
		if t := s.fdType(pid, l); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out, true
}

// fdCount counts the process's open fds.
func (s *Source) fdCount(pid uint32) (int64, bool) {
	if s.procRoot == "" || pid == 0 {
		return 0, false
	}
	ents, err := os.ReadDir(filepath.Join(s.procRoot, strconv.FormatUint(uint64(pid), 10), "fd"))
	return int64(len(ents)), err == nil
}

// fdLimit is the process's soft limit of open files.
func (s *Source) fdLimit(pid uint32) (int64, bool) {
	b, ok := s.procFile(pid, 0, "limits")
	if !ok {
		return 0, false
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0, false
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// fdStat stats the file behind the event's fd, while it is open.
func (s *Source) fdStat(pid uint32, fd int64) (*syscall.Stat_t, bool) {
	if s.procRoot == "" || pid == 0 || fd < 0 {
		return nil, false
	}
	var st syscall.Stat_t
	p := filepath.Join(s.procRoot, strconv.FormatUint(uint64(pid), 10), "fd", strconv.FormatInt(fd, 10))
	if err := syscall.Stat(p, &st); err != nil {
		return nil, false
	}
	return &st, true
}

// cgroupsOf reads a thread's cgroups as libsinsp lists them: each
// controller of a v1 hierarchy with its path; on the unified (v2)
// hierarchy every enabled controller shares the one path.
func (s *Source) cgroupsOf(pid, tid uint32) ([][2]string, bool) {
	b, ok := s.procFile(pid, tid, "cgroup")
	if !ok {
		return nil, false
	}
	var out [][2]string
	for line := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			for _, c := range s.v2Controllers() {
				out = append(out, [2]string{c, parts[2]})
			}
			continue
		}
		for c := range strings.SplitSeq(parts[1], ",") {
			out = append(out, [2]string{strings.TrimPrefix(c, "name="), parts[2]})
		}
	}
	return out, true
}

// v2Controllers are the controllers of the unified hierarchy's root
// (cgroup.controllers under the sys/fs/cgroup beside the proc root).
func (s *Source) v2Controllers() []string {
	if s.c.v2Ctrl == nil {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(s.procRoot), "sys", "fs", "cgroup", "cgroup.controllers"))
		s.c.v2Ctrl = strings.Fields(string(b))
		if err != nil || len(s.c.v2Ctrl) == 0 {
			s.c.v2Ctrl = []string{"cpuset", "cpu", "io", "memory", "pids"}
		}
	}
	return s.c.v2Ctrl
}

// exeWritable says whether the process's executable is writable by it:
// root always (CAP_DAC_OVERRIDE) unless the file system is read-only,
// else by the owner, group or other write bit that applies.
func (s *Source) exeWritable(pid, uid, gid uint32) (bool, bool) {
	if s.procRoot == "" || pid == 0 {
		return false, false
	}
	p := filepath.Join(s.procRoot, strconv.FormatUint(uint64(pid), 10), "exe")
	var st syscall.Stat_t
	if err := syscall.Stat(p, &st); err != nil {
		return false, false
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(p, &fs); err == nil && fs.Flags&0x1 != 0 { // ST_RDONLY
		return false, true
	}
	switch {
	case uid == 0:
		return true, true
	case st.Uid == uid:
		return st.Mode&0o200 != 0, true
	case st.Gid == gid:
		return st.Mode&0o020 != 0, true
	}
	return st.Mode&0o002 != 0, true
}
