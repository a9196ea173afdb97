package container

import "testing"

const id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
const uid = "5f2b4c1e-8a7d-4a3b-9c0e-1d2f3a4b5c6d"

func TestFromCgroup(t *testing.T) {
	tests := []struct {
		desc, path string
		want       Ref
	}{
		{"host process", "/user.slice/user-0.slice/session-1.scope", Ref{}},
		{"root", "/", Ref{}},
		{"containerd systemd driver",
			"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod5f2b4c1e_8a7d_4a3b_9c0e_1d2f3a4b5c6d.slice/cri-containerd-" + id + ".scope",
			Ref{ID: id, Runtime: RuntimeContainerd, PodUID: uid}},
		{"containerd guaranteed qos", "/kubepods.slice/kubepods-pod5f2b4c1e_8a7d_4a3b_9c0e_1d2f3a4b5c6d.slice/cri-containerd-" + id + ".scope",
			Ref{ID: id, Runtime: RuntimeContainerd, PodUID: uid}},
		{"cgroupfs driver", "/kubepods/burstable/pod" + uid + "/" + id, Ref{ID: id, Runtime: RuntimeContainerd, PodUID: uid}},
		{"cri-o", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5f2b4c1e_8a7d_4a3b_9c0e_1d2f3a4b5c6d.slice/crio-" + id + ".scope",
			Ref{ID: id, Runtime: RuntimeCRIO, PodUID: uid}},
		{"cri-o conmon is the host", "/kubepods.slice/crio-conmon-" + id + ".scope", Ref{}},
		{"docker systemd", "/system.slice/docker-" + id + ".scope", Ref{ID: id, Runtime: RuntimeDocker}},
		{"docker cgroupfs", "/docker/" + id, Ref{ID: id}},
		{"podman", "/machine.slice/libpod-" + id + ".scope", Ref{ID: id, Runtime: RuntimePodman}},
		{"podman conmon", "/machine.slice/libpod-conmon-" + id + ".scope", Ref{}},
		{"short hex is not an id", "/docker/0123456789ab", Ref{}},
		{"uppercase is not an id", "/system.slice/docker-" + "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef.scope", Ref{}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			if got := FromCgroup(tc.path); got != tc.want {
				t.Errorf("FromCgroup(%q) = %+v, want %+v", tc.path, got, tc.want)
			}
		})
	}
}

func TestShortID(t *testing.T) {
	if got := (Ref{}).ShortID(); got != "host" {
		t.Errorf("host ShortID = %q", got)
	}
	if got := (Ref{ID: id}).ShortID(); got != id[:12] {
		t.Errorf("ShortID = %q", got)
	}
}

func FuzzFromCgroup(f *testing.F) {
	f.Add("/kubepods/burstable/pod" + uid + "/" + id)
	f.Add("/system.slice/docker-" + id + ".scope")
	f.Fuzz(func(t *testing.T, p string) {
		r := FromCgroup(p)
		if r.ID != "" && !isID(r.ID) {
			t.Fatalf("bad id %q from %q", r.ID, p)
		}
	})
}
