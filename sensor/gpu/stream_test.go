//go:build cgo

package gpu_test

import (
	"fmt"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

// backgroundPerSet is how many ordinary events the realistic stream holds
// per set of the six recorded GPU-node sequences (51 events, 21 alerts).
//
// Why this ratio: the sensor captures only what the rules need (opens,
// execs, connects, sends, socket/dup, module loads, setns, setuid), so a
// CUDA job's millions of ioctl/mmap/read/write calls never reach the
// engine, and what does is dominated by file opens (data loaders, library
// loads, /proc and /sys reads by exporters and the kubelet) at 10^4 to 10^5
// events/s on a busy node. Container starts, driver loads and nvidia-smi
// runs happen minutes apart. One full set per 10,000 events (every ~1 s at
// 10^4 events/s) is therefore pessimistic by about two orders of magnitude.
const backgroundPerSet = 10000

// realisticStream embeds each recorded sequence, whole, at evenly spaced
// positions of background(backgroundPerSet).
func realisticStream(seqs [][]*event.Event) []*event.Event {
	bg := background(backgroundPerSet)
	var out []*event.Event
	per := len(bg) / len(seqs)
	for i, seq := range seqs {
		out = append(out, bg[i*per:(i+1)*per]...)
		out = append(out, seq...)
	}
	return append(out, bg[len(seqs)*per:]...)
}

var (
	bgT0      = time.Date(2024, 11, 25, 0, 0, 0, 0, time.UTC)
	trainer   = &event.Container{ID: "a8c3f2e91b07", Name: "trainer", Image: "nvcr.io/nvidia/pytorch:24.05-py3", ImageTag: "24.05-py3", ImageRepo: "nvcr.io/nvidia/pytorch", PodName: "resnet-train-0", Namespace: "ml"}
	dcgm      = &event.Container{ID: "5d1e0c7a44f2", Name: "dcgm-exporter", Image: "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.5-3.4.0-ubuntu22.04", ImageRepo: "nvcr.io/nvidia/k8s/dcgm-exporter", PodName: "dcgm-exporter-x7k2p", Namespace: "gpu-operator"}
	nodeExp   = &event.Container{ID: "0b9f3e2d6c18", Name: "node-exporter", Image: "quay.io/prometheus/node-exporter:v1.8.1", ImageRepo: "quay.io/prometheus/node-exporter", PodName: "node-exporter-4qz8d", Namespace: "monitoring"}
	onHost    = &event.Container{ID: "host"}
	shimChain = []event.Ancestor{{PID: 6990, Name: "bash", ExePath: "/usr/bin/bash"}, {PID: 4990, Name: "containerd-shim", ExePath: "/usr/bin/containerd-shim-runc-v2"}, {PID: 1, Name: "systemd", ExePath: "/usr/lib/systemd/systemd"}}
	hostChain = []event.Ancestor{{PID: 1, Name: "systemd", ExePath: "/usr/lib/systemd/systemd"}}
)

// background returns n ordinary events of a GPU training node, in a fixed
// cycle of 25: a PyTorch job's data-loader workers opening dataset files
// (10), its library, /proc and log opens, a statsd send, a rendezvous
// connect, socket and dup2; dcgm-exporter reading the driver's /proc files;
// node-exporter and the kubelet reading /proc, /sys and cgroup files; the
// kubelet talking to containerd and the API server; a liveness-probe exec.
func background(n int) []*event.Event {
	out := make([]*event.Event, 0, n)
	for i := 0; len(out) < n; i++ {
		ev := bgEvent(i%25, i/25)
		ev.Time = bgT0.Add(time.Duration(i) * 50 * time.Microsecond)
		out = append(out, ev)
	}
	return out
}

func proc(pid uint32, uid uint32, comm, exe string, anc []event.Ancestor) event.Process {
	return event.Process{PID: pid, TID: pid, PPID: anc[0].PID, UID: uid, GID: uid, EUID: uid, LoginUID: 4294967295,
		Comm: comm, Exe: comm, ExePath: exe, Cwd: "/workspace", Ancestors: anc, Start: bgT0.Add(-time.Hour)}
}

func open(p event.Process, c *event.Container, fd int64, name string, flags int64) *event.Event {
	return &event.Event{Type: event.TypeOpenat, Res: fd, Proc: p, Container: c,
		Args: event.Args{{Name: "dirfd", Int: -100}, {Name: "name", Str: name, IsStr: true}, {Name: "flags", Int: flags}},
		FD:   &event.FD{Num: fd, Type: 'f', Name: name}}
}

func sock(typ event.Type, p event.Process, c *event.Container, fd int64, proto, cip string, cport uint16, sip string, sport uint16) *event.Event {
	return &event.Event{Type: typ, Proc: p, Container: c, Args: event.Args{{Name: "fd", Int: fd}},
		FD: &event.FD{Num: fd, Type: '4', Name: fmt.Sprintf("%s:%d->%s:%d", cip, cport, sip, sport), L4Proto: proto,
			CIP: cip, CPort: cport, SIP: sip, SPort: sport, Connected: true}}
}

const (
	rdonly  = 0o2000000 // O_RDONLY|O_CLOEXEC
	appendW = 0o2002101 // O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC
)

func bgEvent(k, round int) *event.Event {
	python := proc(7001, 1000, "python", "/usr/bin/python3.10", shimChain)
	worker := proc(7002+uint32(k%8), 1000, "pt_data_worker", "/usr/bin/python3.10", shimChain)
	switch {
	case k < 10:
		return open(worker, trainer, 40+int64(k), fmt.Sprintf("/data/imagenet/train/n%08d/n%08d_%d.JPEG", 1440764+round%1000, 1440764+round%1000, round*10+k), rdonly)
	case k == 10:
		return open(python, trainer, 31, "/proc/7001/stat", rdonly)
	case k == 11:
		return open(python, trainer, 32, "/workspace/runs/resnet50/events.out.tfevents.1732492800.resnet-train-0", appendW)
	case k == 12:
		return open(python, trainer, 33, "/usr/local/lib/python3.10/dist-packages/torch/lib/libtorch_cuda.so", rdonly)
	case k == 13:
		return sock(event.TypeSendto, python, trainer, 21, "udp", "10.42.3.17", 51234, "10.96.12.4", 8125)
	case k == 14:
		return sock(event.TypeConnect, python, trainer, 22, "tcp", "10.42.3.17", 40122, "10.42.1.9", 29500)
	case k == 15:
		return &event.Event{Type: event.TypeSocket, Res: 23, Proc: python, Container: trainer, Args: event.Args{{Name: "domain", Int: 2}, {Name: "type", Int: 1}}}
	case k == 16:
		return &event.Event{Type: event.TypeDup2, Res: 2, Proc: python, Container: trainer, Args: event.Args{{Name: "oldfd", Int: 24}, {Name: "newfd", Int: 2}}}
	case k == 17:
		return open(proc(5120, 0, "dcgm-exporter", "/usr/bin/dcgm-exporter", shimChain[1:]), dcgm, 12, "/proc/driver/nvidia/gpus/0000:18:00.0/information", rdonly)
	case k == 18:
		return open(proc(5120, 0, "dcgm-exporter", "/usr/bin/dcgm-exporter", shimChain[1:]), dcgm, 13, "/sys/bus/pci/devices/0000:18:00.0/numa_node", rdonly)
	case k == 19:
		return open(proc(3310, 65534, "node_exporter", "/bin/node_exporter", shimChain[1:]), nodeExp, 9, "/host/proc/stat", rdonly)
	case k == 20:
		return open(proc(3310, 65534, "node_exporter", "/bin/node_exporter", shimChain[1:]), nodeExp, 10, "/host/sys/class/net/eth0/statistics/rx_bytes", rdonly)
	case k == 21:
		return open(proc(1250, 0, "kubelet", "/usr/bin/kubelet", hostChain), onHost, 88, "/sys/fs/cgroup/kubepods.slice/kubepods-pod1c2d.slice/memory.stat", rdonly)
	case k == 22:
		return sock(event.TypeConnect, proc(1250, 0, "kubelet", "/usr/bin/kubelet", hostChain), onHost, 89, "tcp", "10.0.4.21", 53318, "10.96.0.1", 443)
	case k == 23:
		return &event.Event{Type: event.TypeSendmsg, Proc: proc(1250, 0, "kubelet", "/usr/bin/kubelet", hostChain), Container: onHost,
			Args: event.Args{{Name: "fd", Int: 90}}, FD: &event.FD{Num: 90, Type: 'u', Name: "/run/containerd/containerd.sock"}}
	default:
		p := proc(7400+uint32(round%500), 1000, "sh", "/bin/sh", shimChain[1:])
		p.Args = []string{"-c", "test -f /tmp/healthy"}
		return &event.Event{Type: event.TypeExecve, Proc: p, Container: trainer, Args: event.Args{{Name: "filename", Str: "/bin/sh", IsStr: true}}}
	}
}
