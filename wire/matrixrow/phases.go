package matrixrow

import "github.com/probehub/probehub/wire/job"

// Phases splits the row's boot time by the guest's timeline: "firmware"
// (qemu start, firmware, kernel decompression and power-off: the boot time
// the guest's clock does not see), "kernel" (boot to /init), "guest"
// (mounts and job), "sensor start" (exec to the sensor's "kernel types"
// log), "probe load" (to "sensor running": verifier and attach), and
// "detections" (until the result). Missing marks leave phases out.
func (r Row) Phases() []job.Mark {
	at := map[string]int64{}
	for _, m := range r.Guest.Timeline {
		at[m.Name] = m.MS
	}
	var out []job.Mark
	prev, prevOK := int64(0), true
	for _, p := range []struct{ name, mark string }{
		{"kernel", "init"}, {"guest", "sensor exec"}, {"sensor start", "sensor: kernel types"},
		{"probe load", "sensor: sensor running"}, {"detections", "result"},
	} {
		t, ok := at[p.mark]
		if ok && prevOK {
			out = append(out, job.Mark{Name: p.name, MS: t - prev})
		}
		prev, prevOK = t, ok
	}
	if end, ok := at["result"]; ok {
		if fw := int64(r.BootSeconds*1000) - end; fw >= 0 {
			out = append([]job.Mark{{Name: "firmware", MS: fw}}, out...)
		}
	}
	return out
}
