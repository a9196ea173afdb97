package container

import (
	"strings"
)

// HostID is container.id for processes that run in no container, as Falco.
const HostID = "host"

// Runtime names the container engine that laid out a cgroup.
type Runtime string

const (
	RuntimeNone       Runtime = ""
	RuntimeDocker     Runtime = "docker"
	RuntimeContainerd Runtime = "containerd"
	RuntimeCRIO       Runtime = "cri-o"
	RuntimePodman     Runtime = "podman"
)

// Ref is what a cgroup path tells about a process's container.
type Ref struct {
	ID      string  // 64 hex characters; empty for host processes
	Runtime Runtime // who created it
	PodUID  string  // Kubernetes pod UID, when the path carries one
}

// ShortID returns the 12-character id Falco's container.id holds, or "host".
func (r Ref) ShortID() string {
	if r.ID == "" {
		return HostID
	}
	return r.ID[:12]
}

// scope prefixes of systemd-driver layouts: <prefix><id>.scope.
var scopes = []struct {
	prefix string
	rt     Runtime
}{
	{"cri-containerd-", RuntimeContainerd},
	{"crio-conmon-", RuntimeNone}, // conmon runs on the host side
	{"crio-", RuntimeCRIO},
	{"docker-", RuntimeDocker},
	{"libpod-conmon-", RuntimeNone},
	{"libpod-", RuntimePodman},
}

// FromCgroup parses a cgroup path (a line of /proc/PID/cgroup without the
// "N:controllers:" prefix, or the unified path). Recognised layouts:
//
//	/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid>.slice/cri-containerd-<id>.scope
//	/kubepods/besteffort/pod<uid>/<id>                      (cgroupfs driver)
//	/system.slice/docker-<id>.scope, /docker/<id>
//	/machine.slice/libpod-<id>.scope, /libpod_parent/libpod-<id>
//	/kubepods.slice/…/crio-<id>.scope
func FromCgroup(path string) Ref {
	var ref Ref
	for seg := range strings.SplitSeq(path, "/") {
		if uid := podUID(seg); uid != "" {
			ref.PodUID = uid
		}
		if id, rt, ok := containerSegment(seg); ok {
			ref.ID, ref.Runtime = id, rt
		}
	}
	if ref.ID != "" && ref.Runtime == RuntimeNone && ref.PodUID != "" {
		ref.Runtime = RuntimeContainerd
	}
	return ref
}

func containerSegment(seg string) (string, Runtime, bool) {
	base := strings.TrimSuffix(seg, ".scope")
	for _, s := range scopes {
		if rest, ok := strings.CutPrefix(base, s.prefix); ok {
			if s.rt == RuntimeNone || !isID(rest) {
				return "", RuntimeNone, false
			}
			return rest, s.rt, true
		}
	}
	if isID(base) { // cgroupfs driver: the bare id is the leaf
		return base, RuntimeNone, true
	}
	return "", RuntimeNone, false
}

// podUID reads "pod<uid>" (cgroupfs) or "kubepods-<qos>-pod<uid_with_underscores>.slice".
func podUID(seg string) string {
	seg = strings.TrimSuffix(seg, ".slice")
	i := strings.LastIndex(seg, "pod")
	if i < 0 || (i > 0 && seg[i-1] != '-') {
		return ""
	}
	uid := strings.ReplaceAll(seg[i+3:], "_", "-")
	if len(uid) != 36 || strings.Count(uid, "-") != 4 {
		return ""
	}
	return uid
}

func isID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
