package compat

import (
	"context"
	"time"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

const (
	jammyBanner  = "Linux version 5.15.0-91-generic (buildd@lcy02-amd64-045) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023"
	debianBanner = "Linux version 6.1.0-18-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)"
	centosBanner = "Linux version 3.10.0-1160.el7.x86_64 (mockbuild@kbuilder.bsys.centos.org) (gcc version 4.8.5 20150623 (Red Hat 4.8.5-44) (GCC) ) #1 SMP Mon Oct 19 16:18:59 UTC 2020"
)

func key(distro, version, arch, release string) kernels.Key {
	return kernels.Key{Distro: distro, VersionID: version, Arch: arch, Release: release}
}

var (
	jammy  = key("ubuntu", "22.04", "x86_64", "5.15.0-91-generic")
	focal  = key("ubuntu", "20.04", "x86_64", "5.15.0-91-generic") // HWE: same release and banner
	cloud  = key("debian", "12", "x86_64", "6.1.0-18-cloud-amd64")
	centos = key("centos", "7", "x86_64", "3.10.0-1160.el7.x86_64")
	arm    = key("debian", "12", "arm64", "6.1.0-18-arm64") // arm64 normalizes to aarch64
	amzn   = key("amzn", "2", "x86_64", "4.14.336-257.566.amzn2.x86_64")
)

func artifact(k kernels.Key, probe, digest string) Artifact {
	return Artifact{Key: k, Probe: probe, Ref: "ghcr.io/probehub/btf@sha256:" + digest, Digest: "sha256:" + digest}
}

// fixture is a small catalog covering every status and match path.
func fixture() *Static {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &Static{
		KernelList: []Kernel{
			{Key: jammy, Banner: jammyBanner + "\n", BTF: true, Nvidia: []string{"R535", "R550"}},
			{Key: focal, Banner: jammyBanner, BTF: true, Nvidia: []string{"535"}},
			{Key: cloud, Banner: debianBanner, BTF: true},
			{Key: centos, Banner: centosBanner},
			{Key: arm, BTF: true},
			{Key: amzn, Flavour: "amzn2"},
			{Key: jammy}, // duplicate: ignored
		},
		VerdictList: []Verdict{
			{Key: jammy, Probe: "v0.2.0", Status: api.Supported, Features: []string{"ringbuf", "tp_btf"}, BTFSHA256: "aa11"},
			{Key: jammy, Probe: "v0.10.0", Status: api.Supported, Features: []string{"ringbuf", "tp_btf"}, BTFSHA256: "aa22"},
			{Key: focal, Probe: "v0.10.0", Status: api.Supported},
			{Key: cloud, Probe: "v0.10.0", Status: api.Unsupported, Reasons: []string{"relocation sched_process_exec: type task_struct has no field loginuid"}},
			{Key: centos, Probe: "v0.2.0", Status: api.Supported},
			{Key: centos, Probe: "v0.10.0", Status: api.Supported},
			{Key: amzn, Probe: "v0.10.0", Status: "inconclusive", Reasons: []string{"BTF extraction: no .BTF section"}},
		},
		ArtifactList: []Artifact{
			artifact(jammy, "v0.2.0", "0101"),
			artifact(jammy, "v0.10.0", "0202"),
			artifact(centos, "v0.2.0", "0303"),
			{Key: cloud, Banner: "Linux version 6.1.0-18-cloud-amd64 (someone@else) #1 SMP", Probe: "v0.10.0", Ref: "ghcr.io/probehub/btf@sha256:0404", Digest: "sha256:0404"},
		},
		RunList: []api.Run{
			{ID: "m-1", Kernel: jammy.String(), Probe: "v0.10.0", Time: t0, OK: true, Booted: true, Loaded: true, Detects: 12, Expects: 12, BTF: "builtin"},
			{ID: "m-2", Kernel: jammy.String(), Probe: "v0.10.0", Time: t0.Add(time.Hour), Booted: true, Loaded: true, Detects: 11, Expects: 12, BTF: "builtin", Error: "detections: missed shell in container"},
			{ID: "m-3", Kernel: "not/a/key/../..", Probe: "v0.10.0", Time: t0},
		},
		AliasList: []Alias{
			{Name: "linux-image-generic-hwe-20.04", Version: "5.15.0.91.101~20.04.1", Kernel: focal, Source: "apt:http://archive.ubuntu.com/ubuntu#focal-updates"},
			{Name: "linux-image-generic", Version: "5.15.0.91.88", Kernel: jammy, Source: "apt:http://archive.ubuntu.com/ubuntu#jammy-updates"},
			{Name: "linux-image-cloud-amd64", Version: "6.1.76-1", Kernel: cloud, Source: "apt:http://deb.debian.org/debian#bookworm"},
			{Name: "linux-image-arm64", Version: "6.1.76-1", Kernel: arm, Source: "apt:http://deb.debian.org/debian#bookworm"},
			{Name: "linux-image-amd64", Version: "6.1.99-1", Kernel: key("debian", "12", "x86_64", "6.1.0-99-amd64")}, // not crawled
			{Name: "linux-image-bad", Kernel: key("debian", "12", "sparc", "6.1.0-18-sparc")},                         // invalid: left out
		},
	}
}

var fixedNow = time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)

func t0ctx() context.Context { return context.Background() }
