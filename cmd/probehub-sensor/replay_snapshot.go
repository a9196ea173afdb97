package main

import (
	"bytes"
	"fmt"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/proctable"
)

// recording is what replay learnt from a recording's snapshot records
// (event.Snapshot): the recording machine, its user and group names, and,
// through the process hook, its processes and containers.
type recording struct {
	host *event.SnapshotHost
	// users resolves user.name and group.name in the process table; nil
	// until a users record.
	users *proctable.Users
	// names and info are the rules engine's uid tables (evt.arg.uid,
	// user.loginname, user.homedir, user.shell): made when the recording
	// starts with a users record, before the engine is built, and
	// refilled in place by later users records.
	names map[uint32]string
	info  map[uint32][2]string
	procs *processHook
	// records counts the snapshot records applied.
	records int
}

func newRecording() *recording { return &recording{procs: newProcessHook()} }

// apply applies one snapshot record; the error says what is wrong with it.
func (r *recording) apply(data []byte) error {
	s, err := event.ParseSnapshot(data)
	if err != nil {
		return err
	}
	r.records++
	switch {
	case s.Host != nil:
		r.host = s.Host
	case s.Users != nil:
		r.setUsers(s.Users)
	case s.Proc != nil:
		r.procs.table.PutAt(proctable.EntryOf(s.Proc), s.Time)
	case s.Container != nil:
		r.procs.setContainer(s.Container)
	}
	return nil
}

func (r *recording) setUsers(s *event.SnapshotUsers) {
	if r.users == nil {
		r.users = proctable.UsersOf(*s)
		r.procs.table.SetUsers(r.users)
	} else {
		r.users.Set(*s)
	}
	if r.names == nil {
		r.names, r.info = map[uint32]string{}, map[uint32][2]string{}
	}
	clear(r.names)
	clear(r.info)
	for _, u := range s.Users {
		if _, dup := r.names[u.UID]; !dup {
			r.names[u.UID], r.info[u.UID] = u.Name, [2]string{u.Home, u.Shell}
		}
	}
}

// userInfo resolves user.homedir and user.shell from the recording's
// users (syscall.WithUserInfo).
func (r *recording) userInfo(uid uint32) (home, shell string, ok bool) {
	i, ok := r.info[uid]
	return i[0], i[1], ok
}

// groupName names a gid from the recording's groups (syscall.WithGroups).
func (r *recording) groupName(gid uint32) string {
	if r.users == nil {
		return ""
	}
	return r.users.Group(gid)
}

// hostname is the recording machine's, or "" when the recording does not
// say.
func (r *recording) hostname() string {
	if r.host == nil {
		return ""
	}
	return r.host.Hostname
}

// readHead applies the snapshot records at the start of lines (blank
// lines between them are skipped) and gives back the first line that is
// none. It returns the number of lines it consumed.
func (r *recording) readHead(lines *eventLines) (int, error) {
	n := 0
	for {
		raw, ok := lines.next()
		if !ok {
			return n, nil
		}
		data := bytes.TrimSpace(raw)
		switch {
		case len(data) == 0:
		case event.IsSnapshot(data):
			if err := r.apply(data); err != nil {
				return n, fmt.Errorf("events line %d: %w", n+1, err)
			}
		default:
			lines.unread(raw)
			return n, nil
		}
		n++
	}
}
