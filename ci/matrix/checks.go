package matrix

import (
	"github.com/probehub/probehub/wire/job"
	"github.com/probehub/probehub/wire/matrixrow"
)

// RulesPath is where the guest finds the upstream rules baked into its
// initramfs.
const RulesPath = "/rules/falco_rules.yaml"

// ProfilePath is where the guest finds the start-up profiler
// (ci/guest/profile) when the run profiles.
const ProfilePath = "/bin/profile"

// profileArgv is the profiler's command line for a row: the same rules and
// BTF as the sensor's.
func profileArgv(mode matrixrow.BTFMode, withRules bool) []string {
	argv := []string{ProfilePath}
	if withRules {
		argv = append(argv, "--rules", RulesPath)
	}
	if mode.FromArtifact() {
		argv = append(argv, "--btf", "/artifact/min.btf")
	}
	return argv
}

// defaultJob is what every guest does: run the sensor with the upstream
// stable rules, perform real attacks and expect the rule that catches each.
// Without rules (rules == false) the sensor captures raw events instead and
// each action must be seen as an event. On amd64 one action hides its
// read of /etc/shadow in 32-bit syscalls (int $0x80), which the sensor
// must see as well.
func defaultJob(release string, mode matrixrow.BTFMode, withRules bool, arch string) job.Job {
	actions := []job.Action{
		{Name: "read /etc/shadow", Kind: "exec", Path: "/bin/marker", Args: []string{"read", "/etc/shadow"}},
		{Name: "exec from /dev/shm", Kind: "copy-exec", Path: "/bin/marker", Args: []string{"/dev/shm/probehub-dropper", "probehub-matrix-marker"}},
		{Name: "symlink over /etc/shadow", Kind: "symlink", Path: "/etc/shadow", Args: []string{"/tmp/probehub-shadow-link"}},
		{Name: "connect 127.0.0.1:7777", Kind: "connect"},
	}
	var sensor []string
	var expect []job.Expect
	ready := ""
	if withRules {
		ready = `msg="sensor running"`
		sensor = []string{"/bin/probehub-sensor", "run", "--rules", RulesPath, "--output", "json", "--metrics-listen", ""}
		expect = []job.Expect{
			{Name: "Read sensitive file untrusted", All: []string{`"rule":"Read sensitive file untrusted"`, "/etc/shadow"}},
			{Name: "Execution from /dev/shm", All: []string{`"rule":"Execution from /dev/shm"`, "/dev/shm/probehub-dropper"}},
			{Name: "Create Symlink Over Sensitive Files", All: []string{`"rule":"Create Symlink Over Sensitive Files"`, "/tmp/probehub-shadow-link"}},
		}
	} else {
		// arm64 has no symlink syscall (only symlinkat): capture refuses
		// a type the machine lacks
		syscalls := "execve,openat,connect,symlinkat,symlink"
		if arch == "arm64" {
			syscalls = "execve,openat,connect,symlinkat"
		}
		sensor = []string{"/bin/probehub-sensor", "capture", "--json", "--syscalls", syscalls}
		expect = []job.Expect{
			{Name: "open", All: []string{`"openat"`, "/etc/shadow"}},
			{Name: "exec", All: []string{`"execve"`, "probehub-matrix-marker"}},
			{Name: "symlink", All: []string{`"symlink`, "/tmp/probehub-shadow-link"}},
			{Name: "connect", All: []string{`"connect"`, "7777"}},
		}
	}
	if arch == "amd64" {
		actions = append(actions, job.Action{Name: "read /etc/shadow with int $0x80", Kind: "exec", Path: "/bin/marker",
			Args: []string{"read32", "/etc/shadow"}, Needs: job.NeedsIA32},
			job.Action{Name: "connect 127.0.0.1:7777 with socketcall by int $0x80", Kind: "exec", Path: "/bin/marker",
				Args: []string{"connect32", "7777"}, Needs: job.NeedsIA32})
		if withRules {
			expect = append(expect, job.Expect{Name: "Read sensitive file untrusted (32-bit syscalls)",
				All: []string{`"rule":"Read sensitive file untrusted"`, "read32 /etc/shadow"}, Needs: job.NeedsIA32})
		} else {
			expect = append(expect, job.Expect{Name: "open (32-bit syscall)", All: []string{`"openat"`, "/etc/shadow", `"compat":true`},
				Needs: job.NeedsIA32},
				job.Expect{Name: "connect (32-bit socketcall)", All: []string{`"connect"`, "7777", `"compat":true`}, Needs: job.NeedsIA32})
		}
	}
	// The 32-bit ARM marker's syscalls reach only the raw tracepoint,
	// which the portable variant of the detached rows uses.
	if arch == "arm64" && mode.FromArtifact() {
		actions = append(actions, job.Action{Name: "read /etc/shadow from a 32-bit ARM program", Kind: "exec", Path: job.Marker32Path,
			Args: []string{"read", "/etc/shadow"}, Needs: job.NeedsAArch32})
		if withRules {
			expect = append(expect, job.Expect{Name: "Read sensitive file untrusted (32-bit ARM)",
				All: []string{`"rule":"Read sensitive file untrusted"`, "marker32 read /etc/shadow"}, Needs: job.NeedsAArch32})
		} else {
			expect = append(expect, job.Expect{Name: "open (32-bit ARM)", All: []string{`"openat"`, "/etc/shadow", `"compat":true`},
				Needs: job.NeedsAArch32})
		}
	}
	if mode.FromArtifact() {
		sensor = append(sensor, "--btf", "/artifact/min.btf")
	}
	return job.Job{Kernel: release, Sensor: sensor, Actions: actions, Expect: expect, TimeoutMS: 90000,
		Ready: ready, ReadyWaitMS: 30000}
}
