package proctable

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Seed adds every process found under procRoot (normally /proc; a
// DaemonSet passes the host's). Processes that vanish while being read are
// skipped. It returns the number added.
func (t *Table) Seed(ctx context.Context, procRoot string) (int, error) {
	dirs, err := os.ReadDir(procRoot)
	if err != nil {
		return 0, fmt.Errorf("seed process table: %w", err)
	}
	boot := bootTime(procRoot)
	n := 0
	for _, d := range dirs {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		pid, err := strconv.ParseUint(d.Name(), 10, 32)
		if err != nil {
			continue
		}
		e, err := ReadProc(procRoot, uint32(pid), boot)
		if err != nil {
			continue
		}
		e.Env = readEnv(filepath.Join(procRoot, d.Name(), "environ"), t.o.EnvMax)
		t.Put(e)
		n++
	}
	return n, nil
}

// ReadProc reads one process's entry from procRoot/PID.
func ReadProc(procRoot string, pid uint32, boot time.Time) (Entry, error) {
	dir := filepath.Join(procRoot, strconv.FormatUint(uint64(pid), 10))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return Entry{}, fmt.Errorf("read process %d: %w", pid, err)
	}
	e := Entry{PID: pid}
	if err := parseStat(stat, &e, boot); err != nil {
		return Entry{}, fmt.Errorf("process %d: %w", pid, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil && len(b) > 0 {
		argv := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		e.Exe, e.Args = argv[0], argv[1:]
	}
	e.ExePath, _ = os.Readlink(filepath.Join(dir, "exe"))
	e.ExePath = strings.TrimSuffix(e.ExePath, " (deleted)")
	e.Cwd, _ = os.Readlink(filepath.Join(dir, "cwd"))
	if b, err := os.ReadFile(filepath.Join(dir, "loginuid")); err == nil {
		if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32); err == nil {
			e.LoginUID = uint32(v)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "status")); err == nil {
		e.UID, e.GID = statusIDs(b)
		e.Caps = statusCaps(b)
		e.VPID, e.VPGID = nsID(b, "NSpid"), nsID(b, "NSpgid")
	}
	if fi, err := os.Stat(filepath.Join(dir, "exe")); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			e.Inode = ExeInode{Ino: st.Ino, Ctime: time.Unix(st.Ctim.Unix()), Mtime: time.Unix(st.Mtim.Unix())}
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "cgroup")); err == nil {
		e.Cgroup = unifiedCgroup(b)
	}
	return e, nil
}

// parseStat reads comm, ppid, session, tty and start time from
// /proc/PID/stat; comm may contain spaces and parentheses.
func parseStat(b []byte, e *Entry, boot time.Time) error {
	open, closing := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || closing < open {
		return fmt.Errorf("malformed stat")
	}
	e.Comm = string(b[open+1 : closing])
	f := strings.Fields(string(b[closing+1:]))
	if len(f) < 20 { // state ppid pgrp session tty_nr … starttime is field 22 overall
		return fmt.Errorf("short stat: %d fields", len(f))
	}
	ppid, _ := strconv.ParseUint(f[1], 10, 32)
	pgid, _ := strconv.ParseUint(f[2], 10, 32)
	sid, _ := strconv.ParseUint(f[3], 10, 32)
	tty, _ := strconv.ParseUint(f[4], 10, 32)
	e.PPID, e.PGID, e.SID, e.TTY = uint32(ppid), uint32(pgid), uint32(sid), uint32(tty)
	if ticks, err := strconv.ParseUint(f[19], 10, 64); err == nil && !boot.IsZero() {
		e.Start = boot.Add(time.Duration(ticks) * time.Second / 100) // USER_HZ
	}
	return nil
}

// readEnv reads at most max bytes of a NUL-separated environment file
// (/proc/PID/environ), as the probe bounds an exec's: an entry cut by the
// bound is dropped. Nothing when bound is 0 or the file cannot be read
// (another user's process without CAP_SYS_PTRACE, a kernel thread).
func readEnv(path string, bound int) []string {
	if bound <= 0 {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }() // read only
	buf := make([]byte, bound)
	n, _ := io.ReadFull(f, buf)
	return splitEnv(buf[:n], n == bound)
}

// splitEnv splits NUL-separated NAME=VALUE entries; cut says the last one
// may be incomplete.
func splitEnv(b []byte, cut bool) []string {
	if cut {
		if i := bytes.LastIndexByte(b, 0); i >= 0 {
			b = b[:i+1]
		} else {
			b = nil
		}
	}
	s := strings.TrimRight(string(b), "\x00")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// nsID reads the innermost id of a /proc/PID/status line such as
// "NSpid:\t4321\t1" (the process's own pid namespace's view is last).
func nsID(b []byte, key string) uint32 {
	for line := range strings.SplitSeq(string(b), "\n") {
		v, ok := strings.CutPrefix(line, key+":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			return 0
		}
		n, _ := strconv.ParseUint(f[len(f)-1], 10, 32)
		return uint32(n)
	}
	return 0
}

func statusIDs(b []byte) (uid, gid uint32) {
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseUint(f[1], 10, 32) // effective id
		switch k {
		case "Uid":
			uid = uint32(n)
		case "Gid":
			gid = uint32(n)
		}
	}
	return uid, gid
}

// statusCaps reads the CapEff, CapPrm and CapInh lines of a
// /proc/PID/status (hexadecimal bitmasks).
func statusCaps(b []byte) Caps {
	var c Caps
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			continue
		}
		switch k {
		case "CapEff":
			c.Effective, c.Known = n, true
		case "CapPrm":
			c.Permitted = n
		case "CapInh":
			c.Inheritable = n
		}
	}
	return c
}

// unifiedCgroup returns the cgroup v2 path ("0::/path"), or on a v1-only
// host the path of the first controller that names one.
func unifiedCgroup(b []byte) string {
	var first string
	for line := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			return parts[2]
		}
		if first == "" && parts[2] != "/" {
			first = parts[2]
		}
	}
	return first
}

func bootTime(procRoot string) time.Time {
	b, err := os.ReadFile(filepath.Join(procRoot, "stat"))
	if err != nil {
		return time.Time{}
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return time.Unix(s, 0)
			}
		}
	}
	return time.Time{}
}
