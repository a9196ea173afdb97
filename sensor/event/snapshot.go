package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// SnapshotVersion is the version of the snapshot records this build
// writes and the only one it reads. Fields added to a kind keep the
// version (readers ignore keys they do not know); a new kind, or a field
// whose meaning changes, takes the next one.
const SnapshotVersion = 1

// ErrSnapshotVersion is wrapped by ParseSnapshot's error for a record of a
// version this build does not read.
var ErrSnapshotVersion = errors.New("unsupported snapshot record version")

// Snapshot is one record of the state a recording starts from: what
// `capture --json` read from /proc and the host's passwd and group files
// when it started, before its first event, so that `replay` knows the
// processes that were running then (their parents, executables, command
// lines, working directories, environments) and the user and group names,
// as the live sensor does. One JSON object per line, like events; the
// "snapshot" key, first, marks a line as a snapshot record and holds its
// version. Each record carries exactly one of Host, Users, Proc and
// Container.
type Snapshot struct {
	// Version is the record's format version (SnapshotVersion).
	Version int `json:"snapshot"`
	// Time is when the state was read (wall-clock time, like event
	// times): a replayed process from Proc is known from then on.
	Time time.Time `json:"time"`
	// Host describes the recording machine; the first record.
	Host *SnapshotHost `json:"host,omitempty"`
	// Users are the host's user and group names.
	Users *SnapshotUsers `json:"users,omitempty"`
	// Proc is one process as the process table held it at Time (read
	// from /proc): the fields the table keeps, in the event's own form
	// (pid, ppid, comm, exe, exepath, args, env, cwd, uid, gid, loginuid,
	// start, cgroup, tty, sid, vpid, pgid, vpgid, exe_ino, …).
	Proc *Process `json:"proc,omitempty"`
	// Container is a container's runtime metadata, as the capture learnt
	// it: it applies to the events of processes in Container.Cgroup that
	// follow the record.
	Container *SnapshotContainer `json:"container,omitempty"`
}

// SnapshotHost describes the machine a recording was made on.
type SnapshotHost struct {
	// Hostname is the machine's host name (the alerts' hostname field,
	// evt.hostname).
	Hostname string `json:"hostname,omitempty"`
	// Procs is the number of Proc records that follow.
	Procs int `json:"procs"`
	// EnvMax is the bound, in bytes, of the environments the capture
	// kept (its --env-max; 0: none).
	EnvMax int `json:"env_max"`
}

// SnapshotUsers are the host's user and group names, as the live sensor
// reads them from its passwd and group files (user.name, group.name,
// user.loginname, user.homedir, user.shell, evt.arg.uid).
type SnapshotUsers struct {
	Users  []SnapshotUser  `json:"users"`
	Groups []SnapshotGroup `json:"groups"`
}

// SnapshotUser is one passwd entry: the first of each uid.
type SnapshotUser struct {
	UID   uint32 `json:"uid"`
	Name  string `json:"name"`
	Home  string `json:"home,omitempty"`
	Shell string `json:"shell,omitempty"`
}

// SnapshotGroup is one group entry: the first of each gid.
type SnapshotGroup struct {
	GID  uint32 `json:"gid"`
	Name string `json:"name"`
}

// SnapshotContainer is the runtime metadata of the container that the
// processes in Cgroup run in.
type SnapshotContainer struct {
	// Cgroup is the unified cgroup path of the container's processes, as
	// events carry it (proc.cgroup).
	Cgroup string `json:"cgroup"`
	Container
}

// snapshotKey starts every snapshot record that encoding/json writes.
var snapshotKey = []byte(`{"snapshot":`)

// IsSnapshot reports whether data, one line of a recording, looks like a
// snapshot record: a JSON object whose first key is "snapshot". It is a
// quick test on the form this package writes; ParseSnapshot decides.
func IsSnapshot(data []byte) bool { return bytes.HasPrefix(data, snapshotKey) }

// ParseSnapshot decodes one snapshot record. The error says what is wrong:
// bad JSON, a version other than SnapshotVersion (wrapping
// ErrSnapshotVersion), not exactly one kind, or a kind's required field
// missing (a process without a pid, a user without a name, a container
// without a cgroup or id).
func ParseSnapshot(data []byte) (Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return Snapshot{}, fmt.Errorf("decode snapshot record: %w", err)
	}
	if s.Version != SnapshotVersion {
		return Snapshot{}, fmt.Errorf("%w %d (this build reads version %d)", ErrSnapshotVersion, s.Version, SnapshotVersion)
	}
	if err := s.validate(); err != nil {
		return Snapshot{}, fmt.Errorf("snapshot record: %w", err)
	}
	return s, nil
}

func (s *Snapshot) validate() error {
	kinds := 0
	for _, set := range []bool{s.Host != nil, s.Users != nil, s.Proc != nil, s.Container != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return fmt.Errorf("holds %d of host, users, proc and container; want exactly one", kinds)
	}
	switch {
	case s.Host != nil && s.Host.Procs < 0:
		return fmt.Errorf("host: procs %d is negative", s.Host.Procs)
	case s.Host != nil && s.Host.EnvMax < 0:
		return fmt.Errorf("host: env_max %d is negative", s.Host.EnvMax)
	case s.Proc != nil && s.Proc.PID == 0:
		return errors.New("proc: no pid")
	case s.Container != nil && s.Container.Cgroup == "":
		return errors.New("container: no cgroup")
	case s.Container != nil && s.Container.ID == "":
		return errors.New("container: no id")
	case s.Users != nil:
		return s.Users.validate()
	}
	return nil
}

func (u *SnapshotUsers) validate() error {
	for i, e := range u.Users {
		if e.Name == "" {
			return fmt.Errorf("users: user %d (uid %d) has no name", i, e.UID)
		}
	}
	for i, g := range u.Groups {
		if g.Name == "" {
			return fmt.Errorf("users: group %d (gid %d) has no name", i, g.GID)
		}
	}
	return nil
}
