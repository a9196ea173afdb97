package matrix

import "github.com/probehub/probehub/ci/job"

// defaultJob is what every guest does: start the sensor, exec a marker with
// a known argument, read /etc/shadow, connect to a listener on 127.0.0.1, and
// expect each to be seen.
func defaultJob(release string, mode BTFMode) job.Job {
	sensor := []string{"/bin/probehub-sensor", "capture", "--json", "--syscalls", "execve,openat,connect"}
	if mode == BTFDetached {
		sensor = append(sensor, "--btf", "/artifact/min.btf")
	}
	return job.Job{
		Kernel: release,
		Sensor: sensor,
		Actions: []job.Action{
			{Name: "exec marker", Kind: "exec", Path: "/bin/marker", Args: []string{"exit7", "probehub-matrix-marker"}},
			{Name: "read /etc/shadow", Kind: "open", Path: "/etc/shadow"},
			{Name: "connect 127.0.0.1:7777", Kind: "connect"},
		},
		Expect: []job.Expect{
			{Name: "exec", All: []string{`"execve"`, "probehub-matrix-marker"}},
			{Name: "open", All: []string{`"openat"`, "/etc/shadow"}},
			{Name: "connect", All: []string{`"connect"`, "7777"}},
		},
		TimeoutMS: 60000,
	}
}
