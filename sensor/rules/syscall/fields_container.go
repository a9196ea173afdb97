package syscall

import (
	"strconv"
	"strings"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

func ctrF(desc string, f func(c *event.Container) (string, bool)) fieldDef {
	return strF(desc, func(e *event.Event) (string, bool) {
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

func init() {
	addFields(map[string]fieldDef{
		"container.id":    ctrF("container id (\"host\" outside containers)", func(c *event.Container) (string, bool) { return nonEmpty(c.ID) }),
		"container.name":  ctrF("container name", func(c *event.Container) (string, bool) { return nonEmpty(c.Name) }),
		"container.image": ctrF("container image reference", func(c *event.Container) (string, bool) { return nonEmpty(c.Image) }),
		"container.image.repository": ctrF("image repository", func(c *event.Container) (string, bool) {
			if c.ImageRepo != "" {
				return c.ImageRepo, true
			}
			r, _ := repoTag(c.Image)
			return nonEmpty(r)
		}),
		"container.image.tag": ctrF("image tag", func(c *event.Container) (string, bool) {
			if c.ImageTag != "" {
				return c.ImageTag, true
			}
			_, t := repoTag(c.Image)
			return nonEmpty(t)
		}),
		"container.privileged": boolF("privileged container", func(e *event.Event) (bool, bool) {
			if e.Container == nil || e.Container.ID == "host" {
				return false, false
			}
			return e.Container.Privileged, true
		}),
		"container.mount.dest":   mountField("mount destination by index or by (glob of the) mount source", func(m *event.Mount) string { return m.Dest }),
		"container.mount.source": mountField("mount source by index or by (glob of the) destination", func(m *event.Mount) string { return m.Source }),
		"container.start_ts":     missing(rules.KindInt, "container start time"),
		"container.image.id":     missing(rules.KindString, "image id"),
		"container.type":         missing(rules.KindString, "container runtime type"),
		"k8s.ns.name":            ctrF("Kubernetes namespace", func(c *event.Container) (string, bool) { return nonEmpty(c.Namespace) }),
		"k8s.pod.name":           ctrF("Kubernetes pod name", func(c *event.Container) (string, bool) { return nonEmpty(c.PodName) }),
		"k8s.pod.uid":            ctrF("Kubernetes pod UID", func(c *event.Container) (string, bool) { return nonEmpty(c.PodUID) }),
		"k8s.pod.label": {kind: rules.KindString, arg: rules.ArgRequired, desc: "a pod label", bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
			return func(v any) (rules.Value, bool) {
				e := ev(v)
				if e == nil || e.Container == nil {
					return rules.Value{}, false
				}
				l, ok := e.Container.PodLabels[arg]
				return rules.Value{Str: l}, ok
			}, rules.KindString, nil
		}},
		"k8s.pod.labels": ctrF("pod labels as key:value, comma-separated", func(c *event.Container) (string, bool) {
			var parts []string
			for k, v := range c.PodLabels {
				parts = append(parts, k+":"+v)
			}
			return strings.Join(parts, ", "), len(parts) > 0
		}),
	})
}

// mountField looks a mount up by index, or by a glob over the other end
// (container.mount.dest[/var/run/docker.sock] is the destination of the
// mount whose source matches).
func mountField(desc string, f func(m *event.Mount) string) fieldDef {
	return fieldDef{kind: rules.KindString, arg: rules.ArgRequired, desc: desc, bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
		idx, err := strconv.Atoi(arg)
		byIdx := err == nil
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
				other := ms[i].Source
				if f(&ms[i]) == ms[i].Source {
					other = ms[i].Dest
				}
				if globMatch(arg, other) {
					return rules.Value{Str: f(&ms[i])}, true
				}
			}
			return rules.Value{}, false
		}, rules.KindString, nil
	}}
}

// globMatch is a simple fnmatch ('*' and '?' cross '/').
func globMatch(p, s string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(p[1:], s[1:])
	}
	return s != "" && s[0] == p[0] && globMatch(p[1:], s[1:])
}
