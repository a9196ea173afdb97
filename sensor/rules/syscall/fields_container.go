package syscall

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

func ctrF(f func(c *event.Container) (string, bool)) fieldDef {
	return strF("", func(e *event.Event) (string, bool) {
		if e.Container == nil {
			return "", false
		}
		return f(e.Container)
	})
}

// repoTag splits an image reference into repository and tag (digests are
// not tags).
func repoTag(image string) (string, string) {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	slash := strings.LastIndexByte(image, '/')
	if i := strings.LastIndexByte(image, ':'); i > slash {
		return image[:i], image[i+1:]
	}
	return image, ""
}

// shortID is the 12-character container id Falco shows (host stays
// host).
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// mountString renders a mount as source:dest:mode:rdwr:propagation.
func mountString(m *event.Mount) string {
	rw := "false"
	if m.RW {
		rw = "true"
	}
	return m.Source + ":" + m.Dest + ":" + m.Mode + ":" + rw + ":" + m.Propagation
}

func init() {
	addFields(map[string]fieldDef{
		"container.id": ctrF(func(c *event.Container) (string, bool) { return nonEmpty(shortID(c.ID)) }),
		"container.full_id": ctrF(func(c *event.Container) (string, bool) {
			if c.FullID != "" {
				return c.FullID, true
			}
			return nonEmpty(c.ID)
		}),
		"container.type":         ctrF(func(c *event.Container) (string, bool) { return nonEmpty(c.Type) }),
		"container.image.id":     ctrF(func(c *event.Container) (string, bool) { return nonEmpty(c.ImageID) }),
		"container.host_pid":     ctrBool(func(c *event.Container) bool { return c.HostPID }),
		"container.host_network": ctrBool(func(c *event.Container) bool { return c.HostNetwork }),
		"container.host_ipc":     ctrBool(func(c *event.Container) bool { return c.HostIPC }),
		"container.ip":           ctrF(func(c *event.Container) (string, bool) { return nonEmpty(firstOf(c.IP, c.PodIP)) }),
		"container.cni.json":     ctrF(func(c *event.Container) (string, bool) { return nonEmpty(c.PodCNIJSON) }),
		"container.labels":       ctrF(func(c *event.Container) (string, bool) { return labelList(c.Labels) }),
		"container.label":        labelField(func(c *event.Container) map[string]string { return c.Labels }),
		"container.start_ts": intF("", func(e *event.Event) (int64, bool) {
			if e.Container == nil || e.Container.Start.IsZero() {
				return 0, false
			}
			return e.Container.Start.UnixNano(), true
		}),
		"container.duration": intF("", func(e *event.Event) (int64, bool) {
			if e.Container == nil || e.Container.Start.IsZero() || e.Time.IsZero() {
				return 0, false
			}
			return e.Time.Sub(e.Container.Start).Nanoseconds(), true
		}),
		"container.healthcheck":             probeLine(func(c *event.Container) []string { return c.Healthcheck }),
		"container.liveness_probe":          probeLine(func(c *event.Container) []string { return c.LivenessProbe }),
		"container.readiness_probe":         probeLine(func(c *event.Container) []string { return c.ReadinessProbe }),
		"proc.is_container_healthcheck":     probeMatch(func(c *event.Container) []string { return c.Healthcheck }),
		"proc.is_container_liveness_probe":  probeMatch(func(c *event.Container) []string { return c.LivenessProbe }),
		"proc.is_container_readiness_probe": probeMatch(func(c *event.Container) []string { return c.ReadinessProbe }),
		"container.mount.propagation":       mountField(false, func(m *event.Mount) string { return m.Propagation }),
		"k8s.pod.ip":                        ctrF(func(c *event.Container) (string, bool) { return nonEmpty(firstOf(c.PodIP, c.IP)) }),
		"k8s.pod.cni.json":                  ctrF(func(c *event.Container) (string, bool) { return nonEmpty(c.PodCNIJSON) }),
		"k8s.pod.full_sandbox_id":           ctrF(func(c *event.Container) (string, bool) { return nonEmpty(c.PodSandboxID) }),
		"k8s.pod.sandbox_id":                ctrF(func(c *event.Container) (string, bool) { return nonEmpty(shortID(c.PodSandboxID)) }),
		"container.name": ctrF(func(c *event.Container) (string, bool) {
			if c.Name == "" && c.ID == "host" {
				return "host", true
			}
			return nonEmpty(c.Name)
		}),
		"container.image": ctrF(func(c *event.Container) (string, bool) { return nonEmpty(c.Image) }),
		"container.image.repository": ctrF(func(c *event.Container) (string, bool) {
			if c.ImageRepo != "" {
				return c.ImageRepo, true
			}
			r, _ := repoTag(c.Image)
			return nonEmpty(r)
		}),
		"container.image.tag": ctrF(func(c *event.Container) (string, bool) {
			if c.ImageTag != "" {
				return c.ImageTag, true
			}
			_, t := repoTag(c.Image)
			return nonEmpty(t)
		}),
		"container.image.digest": ctrF(func(c *event.Container) (string, bool) {
			if c.ImageDigest != "" {
				return c.ImageDigest, true
			}
			if i := strings.IndexByte(c.Image, '@'); i >= 0 {
				return c.Image[i+1:], true
			}
			return "", false
		}),
		"container.privileged": boolF("", func(e *event.Event) (bool, bool) {
			if e.Container == nil || e.Container.ID == "host" {
				return false, false
			}
			return e.Container.Privileged, true
		}),
		"container.mounts": strS("", func(s *Source, e *event.Event) (string, bool) {
			if e.Container == nil || e.Container.ID == "host" {
				return "", false
			}
			var b strings.Builder
			for i := range e.Container.Mounts {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(mountString(&e.Container.Mounts[i]))
			}
			return b.String(), true
		}),
		"container.mount":        mountField(false, mountString),
		"container.mount.dest":   mountField(false, func(m *event.Mount) string { return m.Dest }),
		"container.mount.source": mountField(true, func(m *event.Mount) string { return m.Source }),
		"container.mount.mode":   mountField(false, func(m *event.Mount) string { return m.Mode }),
		"container.mount.rdwr": mountField(false, func(m *event.Mount) string {
			if m.RW {
				return "true"
			}
			return "false"
		}),
		"k8s.ns.name":    ctrF(func(c *event.Container) (string, bool) { return nonEmpty(c.Namespace) }),
		"k8s.pod.name":   ctrF(func(c *event.Container) (string, bool) { return nonEmpty(c.PodName) }),
		"k8s.pod.uid":    ctrF(func(c *event.Container) (string, bool) { return nonEmpty(c.PodUID) }),
		"k8s.pod.id":     ctrF(func(c *event.Container) (string, bool) { return nonEmpty(c.PodUID) }),
		"k8s.pod.label":  labelField(func(c *event.Container) map[string]string { return c.PodLabels }),
		"k8s.pod.labels": ctrF(func(c *event.Container) (string, bool) { return labelList(c.PodLabels) }),
	})
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func ctrBool(f func(c *event.Container) bool) fieldDef {
	return boolF("", func(e *event.Event) (bool, bool) {
		if e.Container == nil || e.Container.ID == "host" {
			return false, false
		}
		return f(e.Container), true
	})
}

// labelList renders labels as key:value pairs, comma-separated, by key.
func labelList(m map[string]string) (string, bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + m[k]
	}
	return strings.Join(parts, ","), len(parts) > 0
}

// labelField is one label by key (container.label[k], k8s.pod.label[k]).
func labelField(labels func(c *event.Container) map[string]string) fieldDef {
	return fieldDef{kind: rules.KindString, arg: rules.ArgRequired, bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil || e.Container == nil {
				return rules.Value{}, false
			}
			l, ok := labels(e.Container)[arg]
			return rules.Value{Str: l}, ok
		}, rules.KindString, nil
	}}
}

// probeLine is container.healthcheck and the liveness/readiness forms:
// the probe's command line, missing when the container has none (a
// health check switched off in the image reads NONE).
func probeLine(probe func(c *event.Container) []string) fieldDef {
	return strF("", func(e *event.Event) (string, bool) {
		if e.Container == nil {
			return "", false
		}
		cmd := probe(e.Container)
		return strings.Join(cmd, " "), len(cmd) > 0
	})
}

// probeMatch is proc.is_container_healthcheck and the liveness/readiness
// forms: the process, or one of its ancestors, runs the container's probe
// command (the same executable and arguments).
func probeMatch(probe func(c *event.Container) []string) fieldDef {
	return boolF("", func(e *event.Event) (bool, bool) {
		if e.Container == nil || e.Container.ID == "host" {
			return false, false
		}
		cmd := probe(e.Container)
		if len(cmd) == 0 {
			return false, true
		}
		if sameCmd(cmd, e.Proc.Exe, e.Proc.Args) {
			return true, true
		}
		for i := range e.Proc.Ancestors {
			if a := &e.Proc.Ancestors[i]; sameCmd(cmd, a.Exe, a.Args) {
				return true, true
			}
		}
		return false, true
	})
}

func sameCmd(cmd []string, exe string, args []string) bool {
	if cmd[0] != exe || len(cmd)-1 != len(args) {
		return false
	}
	for i, a := range args {
		if cmd[i+1] != a {
			return false
		}
	}
	return true
}

// mountField looks a mount up by index, or by a pattern over one of its
// paths, as Falco's container plugin does: the argument is a regular
// expression searched in the mount's source (in its destination for
// container.mount.source), and the first mount that matches is used.
func mountField(byDest bool, f func(m *event.Mount) string) fieldDef {
	return fieldDef{kind: rules.KindString, arg: rules.ArgRequired, bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
		idx, err := strconv.Atoi(arg)
		byIdx := err == nil
		var re *regexp.Regexp
		if !byIdx {
			if re, err = regexp.Compile(arg); err != nil {
				return nil, 0, errf("mount pattern: %v", err)
			}
		}
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil || e.Container == nil {
				return rules.Value{}, false
			}
			ms := e.Container.Mounts
			if byIdx {
				if idx < 0 || idx >= len(ms) {
					return rules.Value{}, false
				}
				return rules.Value{Str: f(&ms[idx])}, true
			}
			for i := range ms {
				key := ms[i].Source
				if byDest {
					key = ms[i].Dest
				}
				if re.MatchString(key) {
					return rules.Value{Str: f(&ms[i])}, true
				}
			}
			return rules.Value{}, false
		}, rules.KindString, nil
	}}
}
