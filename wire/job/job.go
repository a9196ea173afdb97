// Package job is the protocol between the kernel-matrix runner on the host
// and the test init inside each guest: the job the host bakes into the
// initramfs (/matrix/job.json) and the result the guest prints on its serial
// console (one line, prefixed with ResultPrefix).
package job

// Path is where the job file lies inside the guest.
const Path = "/matrix/job.json"

// ResultPrefix starts the guest's result line on the serial console.
const ResultPrefix = "PROBEHUB-RESULT "

// Job tells the guest what to run and what to expect.
type Job struct {
	// Kernel is the release the host booted (uname -r); the guest checks it.
	Kernel string `json:"kernel"`
	// Sensor is the sensor's argv; its stdout is scanned for Expect.
	Sensor []string `json:"sensor"`
	// Actions are the real things the guest does while the sensor runs.
	Actions []Action `json:"actions"`
	// Expect lists what must appear in the sensor's output.
	Expect []Expect `json:"expect"`
	// TimeoutMS bounds the detection phase.
	TimeoutMS int `json:"timeout_ms"`
	// Ready, if set, is a substring of the sensor's stderr line that says
	// capture is running: the actions start once it appears (or after
	// ReadyWaitMS without it), so that they do not compete with the probe
	// load for the guest's one CPU. Empty: the actions start at once.
	Ready string `json:"ready,omitempty"`
	// ReadyWaitMS bounds the wait for Ready.
	ReadyWaitMS int `json:"ready_wait_ms,omitempty"`
	// Profile, if set, is the argv of a diagnostic the guest runs before
	// the sensor; its stdout (a JSON array of Marks) becomes
	// Result.Profile. It never decides the result.
	Profile []string `json:"profile,omitempty"`
}

// Action is one real action. Kind is one of:
//   - exec: run Path with Args
//   - open: open Path for reading
//   - write: create and write Path
//   - connect: TCP connect to a listener the guest owns on 127.0.0.1
//   - symlink: create Args[0] as a symlink to Path
//   - copy-exec: copy Path to Args[0] and run it with Args[1:]
type Action struct {
	Name string   `json:"name"`
	Kind string   `json:"kind"`
	Path string   `json:"path,omitempty"`
	Args []string `json:"args,omitempty"`
	// Needs names a kernel feature the action needs (NeedsIA32); on a
	// kernel without it the guest drops the action and the expectations
	// that need the same, and says so in its timeline.
	Needs string `json:"needs,omitempty"`
}

// NeedsIA32: the kernel runs 32-bit syscalls (x86-64 with
// CONFIG_IA32_EMULATION).
const NeedsIA32 = "ia32"

// NeedsAArch32: the kernel and CPU run 32-bit ARM programs (arm64 with
// CONFIG_COMPAT on a CPU with AArch32 at EL0); the guest tries
// Marker32Path.
const NeedsAArch32 = "aarch32"

// Marker32Path is where arm64 guests find the marker program built for
// 32-bit ARM.
const Marker32Path = "/bin/marker32"

// Expect is met when one line of sensor output contains every string of All.
type Expect struct {
	Name string   `json:"name"`
	All  []string `json:"all"`
	// Needs is as Action's.
	Needs string `json:"needs,omitempty"`
}

// Step is one stage of the guest's run.
type Step struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
	MS     int64  `json:"ms"`
}

// Mark is a named instant or duration in milliseconds: in Result.Timeline
// the time since the kernel booted (CLOCK_BOOTTIME), in Result.Profile
// how long a stage took.
type Mark struct {
	Name string `json:"name"`
	MS   int64  `json:"ms"`
}

// Result is what the guest reports.
type Result struct {
	Release    string   `json:"release"`
	Banner     string   `json:"banner"`
	BTF        bool     `json:"kernel_btf"` // /sys/kernel/btf/vmlinux present
	Steps      []Step   `json:"steps"`
	Detected   []string `json:"detected"`
	Expected   int      `json:"expected"`
	OK         bool     `json:"ok"`
	SensorTail string   `json:"sensor_tail,omitempty"`
	// Timeline marks when the guest reached each stage: "init" (the
	// kernel handed over to /init), "mounted", "sensor exec", the first
	// line of each of the sensor's log messages ("sensor: MSG"), "actions"
	// (the first round of actions) and "detected: NAME" per expectation.
	Timeline []Mark `json:"timeline,omitempty"`
	// Profile is the output of Job.Profile, when it ran.
	Profile []Mark `json:"profile,omitempty"`
}
