package gpu

import (
	_ "embed"
	"path"
	"strings"

	"github.com/probehub/probehub/sensor/event"
)

// NVIDIAScapeRule is the name of the built-in rule for CVE-2025-23266.
const NVIDIAScapeRule = "NVIDIA Toolkit Hook Loads Library From Container Image"

//go:embed rules/gpu_rules.yaml
var builtinRules []byte

// BuiltinRules returns the sensor's built-in GPU-node rules file (Falco
// syntax), to load after the upstream rule files.
func BuiltinRules() []byte { return builtinRules }

var hookNames = newSet([]string{
	"nvidia-ctk", "nvidia-cdi-hook", "nvidia-container-runtime-hook",
	"nvidia-container-toolkit", "nvidia-container-cli",
})

// IsNVIDIAScape reports whether ev is an NVIDIA toolkit hook (by executable
// name, wherever it is installed) opening a shared library inside a
// container's root filesystem: the CVE-2025-23266 pattern. The filter never
// suppresses such an event, whatever rule raised it.
func IsNVIDIAScape(ev *event.Event) bool {
	switch ev.Type {
	case event.TypeOpen, event.TypeOpenat, event.TypeOpenat2:
	default:
		return false
	}
	if ev.FD == nil {
		return false
	}
	n := ev.FD.Name
	lib := strings.HasSuffix(n, ".so") || strings.Contains(n, ".so.")
	return lib && hookNames.has(path.Base(ev.Proc.ExePath)) && inContainerRootfs(n, ev.Proc.Cwd)
}

func inContainerRootfs(name, cwd string) bool {
	if strings.Contains(name, "/rootfs/") || strings.Contains(name, "/merged/") ||
		strings.HasPrefix(name, "/proc/self/cwd/") || strings.HasPrefix(name, "/proc/self/root/") {
		return true
	}
	// A hook's cwd is the container bundle: anything below it is the image's.
	return cwd != "" && cwd != "/" && strings.HasPrefix(name, strings.TrimSuffix(cwd, "/")+"/")
}
