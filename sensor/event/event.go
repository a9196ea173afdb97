package event

import "time"

// Event is one decoded kernel event, optionally enriched with container and
// Kubernetes metadata.
type Event struct {
	// Time is when the event happened (kernel boot-time clock converted to
	// wall-clock time).
	Time time.Time `json:"time"`
	// Type is the syscall or lifecycle event, e.g. "openat", "execve",
	// "clone", "procexit".
	Type Type `json:"type"`
	// Dir is Falco's event direction: "<" (exit, the default) or ">" (enter).
	Dir string `json:"dir,omitempty"`
	// CPU is the CPU that recorded the event.
	CPU uint32 `json:"cpu"`
	// Res is the syscall's return value (fd, pid, 0, or -errno).
	Res int64 `json:"res"`
	// Proc is the calling thread and its process.
	Proc Process `json:"proc"`
	// Args are the syscall's arguments in Falco's naming (evt.arg.NAME).
	Args Args `json:"args,omitempty"`
	// FD describes the file descriptor the event refers to, if any (the
	// opened file, the connected socket).
	FD *FD `json:"fd,omitempty"`
	// FDList is the fds of a poll or ppoll (Falco's evt.arg.fds, the
	// fdlist.* fields): the first of the array the call was given, as the
	// kernel left them at the exit.
	FDList []PolledFD `json:"fdlist,omitempty"`
	// Buffer is the I/O data of read/write/send/recv-family events
	// (evt.buffer, evt.arg.data), truncated to the capture's snap length.
	Buffer []byte `json:"buffer,omitempty"`
	// Container is set by enrichment; nil means not (yet) known.
	Container *Container `json:"container,omitempty"`
	// Compat marks a 32-bit syscall (int $0x80 and the like on x86-64):
	// its Type is the 64-bit syscall it maps to.
	Compat bool `json:"compat,omitempty"`
}

// Process is the context of the thread that caused an event. Fields that
// enrichment fills from the process table are marked.
type Process struct {
	PID      uint32 `json:"pid"`  // thread group id (user-space pid)
	TID      uint32 `json:"tid"`  // thread id
	PPID     uint32 `json:"ppid"` // parent's thread group id
	VPID     uint32 `json:"vpid,omitempty"`
	SID      uint32 `json:"sid,omitempty"`
	UID      uint32 `json:"uid"`
	GID      uint32 `json:"gid"`
	EUID     uint32 `json:"euid"`
	EGID     uint32 `json:"egid,omitempty"`
	LoginUID uint32 `json:"loginuid"` // 4294967295 when unset
	Comm     string `json:"comm"`     // task comm, at most 15 bytes
	// Exe is the first argv element (Falco's proc.exe); ExePath the full
	// path of the executable file (proc.exepath).
	Exe     string   `json:"exe,omitempty"`
	ExePath string   `json:"exepath,omitempty"`
	Args    []string `json:"args,omitempty"` // argv[1:]
	Cwd     string   `json:"cwd,omitempty"`
	// Env is the process environment as NAME=VALUE entries, from execve's
	// envp (proc.env), bounded by the capture's limits.
	Env []string `json:"env,omitempty"`
	TTY uint32   `json:"tty,omitempty"`
	// ExitCode is set on procexit events.
	ExitCode int32  `json:"exit_code,omitempty"`
	CgroupID uint64 `json:"cgroup_id,omitempty"`
	// Cgroup is the unified (v2) cgroup path, e.g.
	// /kubepods.slice/…/cri-containerd-<id>.scope.
	Cgroup string `json:"cgroup,omitempty"`
	MntNS  uint32 `json:"mntns,omitempty"`
	PIDNS  uint32 `json:"pidns,omitempty"`
	NetNS  uint32 `json:"netns,omitempty"`
	// Enrichment from the process table.
	User      string     `json:"user,omitempty"`
	Group     string     `json:"group,omitempty"`
	Ancestors []Ancestor `json:"ancestors,omitempty"` // [0] is the parent
	// Capability sets of the thread (thread.cap_*), as kernel bitmasks.
	CapEffective   uint64 `json:"cap_effective,omitempty"`
	CapPermitted   uint64 `json:"cap_permitted,omitempty"`
	CapInheritable uint64 `json:"cap_inheritable,omitempty"`
	// Start is when the process was created (proc.duration).
	Start time.Time `json:"start,omitzero"`
	// ExeUpperLayer is set when the executable lives in the upper (written)
	// layer of an overlayfs: a binary dropped into a container
	// (proc.is_exe_upper_layer).
	ExeUpperLayer bool `json:"exe_upper_layer,omitempty"`
	// ExeLowerLayer is set when the executable is in a lower (image)
	// layer of an overlayfs (proc.is_exe_lower_layer).
	ExeLowerLayer bool `json:"exe_lower_layer,omitempty"`
	// ExeFromMemfd is set when the executable is a memfd
	// (proc.is_exe_from_memfd).
	ExeFromMemfd bool `json:"exe_from_memfd,omitempty"`
	// PGID and VPGID are the process group in the initial and in the
	// process's own pid namespace (proc.pgid, proc.vpgid).
	PGID  uint32 `json:"pgid,omitempty"`
	VPGID uint32 `json:"vpgid,omitempty"`
	// ExeIno, ExeCtime and ExeMtime are the executable's inode number and
	// its status-change and modification times (proc.exe_ino*).
	ExeIno   uint64    `json:"exe_ino,omitempty"`
	ExeCtime time.Time `json:"exe_ctime,omitzero"`
	ExeMtime time.Time `json:"exe_mtime,omitzero"`
	// PIDNSInitStart is when the init of the process's pid namespace
	// started (proc.pidns_init_start_ts).
	PIDNSInitStart time.Time `json:"pidns_init_start,omitzero"`
	// ExeWritable is set when the executable is writable by the process's
	// effective user (proc.is_exe_writable, EXE_WRITABLE).
	ExeWritable bool `json:"exe_writable,omitempty"`
	// ExeInfo is set on an event that carries the fields above from the
	// kernel (an exec), so the process table takes them as they are.
	ExeInfo bool `json:"-"`
}

// Ancestor is one process up the parent chain (proc.aname[N], proc.apid[N]).
type Ancestor struct {
	PID     uint32   `json:"pid"`
	Name    string   `json:"name"`
	Exe     string   `json:"exe,omitempty"`
	ExePath string   `json:"exepath,omitempty"`
	Args    []string `json:"args,omitempty"`
	// VPID, Start and Env serve proc.pvpid, proc.ppid.ts and proc.aenv;
	// Env is not written out (replay rebuilds ancestors from the table).
	VPID  uint32    `json:"vpid,omitempty"`
	Start time.Time `json:"start,omitzero"`
	Env   []string  `json:"-"`
}

// FD is a file descriptor as Falco's fd.* fields see it.
type FD struct {
	Num int64 `json:"num"`
	// Type is Falco's fd.typechar: 'f' file, 'd' directory, '4' IPv4,
	// '6' IPv6, 'u' unix, 'p' pipe, 'e' eventfd, 's' signalfd, 'l' eventpoll,
	// 'i' inotify, 't' timerfd, 'n' netlink, 'b' bpf, 'm' memfd ...
	Type byte `json:"type"`
	// Name is fd.name: the path for files, "cip:cport->sip:sport" for
	// connected sockets.
	Name    string `json:"name"`
	L4Proto string `json:"l4proto,omitempty"` // tcp, udp, icmp, raw
	CIP     string `json:"cip,omitempty"`
	CPort   uint16 `json:"cport,omitempty"`
	SIP     string `json:"sip,omitempty"`
	SPort   uint16 `json:"sport,omitempty"`
	// Connected is set for a connected socket (fd.connected); NameChanged
	// when this event set the fd's address, e.g. sendto on an unconnected
	// UDP socket (fd.name_changed).
	Connected   bool `json:"connected,omitempty"`
	NameChanged bool `json:"name_changed,omitempty"`
	// Server is the socket's role (fd.is_server): the local end is the
	// server (accepted, bound or listening) rather than the client.
	Server bool `json:"server,omitempty"`
}

// PolledFD is one entry of a poll's fd array.
type PolledFD struct {
	Num int64 `json:"num"`
	// Flags are the events the kernel returned (revents) in Falco's
	// encoding (PPM_POLLIN 1, PPM_POLLPRI 2, PPM_POLLOUT 4, …).
	Flags uint16 `json:"flags,omitempty"`
	// FD is what the fd referred to at the exit; nil when it was not open.
	FD *FD `json:"fd,omitempty"`
}

// Container is what enrichment knows of the event's container (Falco's
// container.* and k8s.* fields). ID is "host" for processes outside any
// container. Fields the runtime has not answered yet stay zero.
type Container struct {
	ID        string `json:"id"`
	FullID    string `json:"full_id,omitempty"` // container.full_id: all 64 hex digits
	Name      string `json:"name,omitempty"`
	Type      string `json:"type,omitempty"` // container.type: containerd, cri-o, docker, podman
	Image     string `json:"image,omitempty"`
	ImageTag  string `json:"image_tag,omitempty"`
	ImageRepo string `json:"image_repository,omitempty"`
	// ImageDigest is the registry digest (container.image.digest),
	// "sha256:…"; ImageID the local image id (container.image.id), as
	// Falco shows it: the hex without "sha256:".
	ImageDigest string `json:"image_digest,omitempty"`
	ImageID     string `json:"image_id,omitempty"`
	Privileged  bool   `json:"privileged,omitempty"`
	// HostPID, HostNetwork and HostIPC are set when the container shares
	// the host's namespace (container.host_pid/_network/_ipc).
	HostPID     bool    `json:"host_pid,omitempty"`
	HostNetwork bool    `json:"host_network,omitempty"`
	HostIPC     bool    `json:"host_ipc,omitempty"`
	Mounts      []Mount `json:"mounts,omitempty"`
	// Healthcheck, LivenessProbe and ReadinessProbe are the probe commands
	// (container.healthcheck, container.liveness_probe,
	// container.readiness_probe): the executable followed by its
	// arguments, as Falco renders them.
	Healthcheck    []string `json:"healthcheck,omitempty"`
	LivenessProbe  []string `json:"liveness_probe,omitempty"`
	ReadinessProbe []string `json:"readiness_probe,omitempty"`
	// Cmdline is the container's entrypoint and arguments (the OCI
	// process args).
	Cmdline []string `json:"cmdline,omitempty"`
	// Start is when the container was started (container.start_ts,
	// container.duration).
	Start time.Time `json:"start,omitzero"`
	// IP is the container's IP address (container.ip): the pod's IP for a
	// container of a pod.
	IP     string            `json:"ip,omitempty"`
	Labels map[string]string `json:"labels,omitempty"` // container.label[…]
	// The pod the container belongs to (k8s.*).
	PodName        string            `json:"pod_name,omitempty"`
	Namespace      string            `json:"namespace,omitempty"`
	PodUID         string            `json:"pod_uid,omitempty"`
	PodSandboxID   string            `json:"pod_sandbox_id,omitempty"` // k8s.pod.full_sandbox_id
	PodIP          string            `json:"pod_ip,omitempty"`
	PodLabels      map[string]string `json:"pod_labels,omitempty"`
	PodAnnotations map[string]string `json:"pod_annotations,omitempty"`
	// PodCNIJSON is the pod's CNI result as the runtime reports it
	// (k8s.pod.cni.json, container.cni.json).
	PodCNIJSON string `json:"pod_cni_json,omitempty"`
}

// Mount is one container mount (container.mount.*).
type Mount struct {
	Source string `json:"source"`
	Dest   string `json:"dest"`
	// Mode is the mount's option string as the runtime gives it (e.g.
	// "rbind,ro" or docker's "Z"); RW whether it is writable.
	Mode string `json:"mode,omitempty"`
	RW   bool   `json:"rw"`
	// Propagation is Falco's name of the mount propagation: "private",
	// "rprivate", "shared", "rshared", "slave", "rslave".
	Propagation string `json:"propagation,omitempty"`
}
