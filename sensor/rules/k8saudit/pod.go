package k8saudit

import (
	"encoding/json"

	"github.com/probehub/probehub/internal/jsonptr"
)

// Indexes of the precomputed multi-valued fields in Event.lists. The three
// container lists each take three consecutive slots: image, repository,
// privileged.
const (
	lGroups = iota
	lSourceIPs
	lSubjects
	lImages
	lRepos
	lPrivileged
	lInitImages
	lInitRepos
	lInitPrivileged
	lEphemeralImages
	lEphemeralRepos
	lEphemeralPrivileged
	lHostPorts
	lAllowPrivilegeEscalation
	lReadOnlyFS
	lRunAsUser
	lEffRunAsUser
	lRunAsGroup
	lEffRunAsGroup
	lProcMount
	lAddCapabilities
	lRules
	lRuleVerbs
	lRuleResources
	lRuleAPIGroups
	lRuleNonResourceURLs
	lSupplementalGroups
	lServicePorts
	lHostPaths
	lFlexVolumeDrivers
	lVolumeTypes
	numLists
)

// deriveSecurity fills the per-container security-context and port lists of
// the pod's regular containers.
func (e *Event) deriveSecurity(sp *spec) {
	cs, ok := sp.Containers, sp.Containers != nil
	sc := func(get func(*container) text) list { return perContainer(cs, ok, get) }
	e.lists[lAllowPrivilegeEscalation] = sc(func(c *container) text { return c.SecurityContext.AllowPrivilegeEscalation })
	e.lists[lReadOnlyFS] = sc(func(c *container) text { return c.SecurityContext.ReadOnlyRootFilesystem })
	e.lists[lRunAsUser] = sc(func(c *container) text { return c.SecurityContext.RunAsUser })
	e.lists[lRunAsGroup] = sc(func(c *container) text { return c.SecurityContext.RunAsGroup })
	e.lists[lProcMount] = sc(func(c *container) text { return c.SecurityContext.ProcMount })
	e.lists[lEffRunAsUser] = effective(cs, ok, sp.SecurityContext.RunAsUser, func(c *container) text { return c.SecurityContext.RunAsUser })
	e.lists[lEffRunAsGroup] = effective(cs, ok, sp.SecurityContext.RunAsGroup, func(c *container) text { return c.SecurityContext.RunAsGroup })
	caps, ports := list{ok: ok}, list{ok: ok}
	for i := range cs {
		caps.add(cs[i].SecurityContext.Capabilities.Add.v...)
		var p []string
		for _, port := range cs[i].Ports {
			if port.HostPort.ok {
				p = append(p, port.HostPort.s)
			} else if port.ContainerPort.ok {
				p = append(p, port.ContainerPort.s) // with hostNetwork this is the host port
			}
		}
		ports.add(p...)
	}
	e.lists[lAddCapabilities], e.lists[lHostPorts] = caps, ports
}

// effective is the uid/gid a container starts with: its own security
// context, else the pod's, else 0.
func effective(cs []container, ok bool, pod text, get func(*container) text) list {
	def := "0"
	if pod.ok {
		def = pod.s
	}
	l := list{ok: ok}
	for i := range cs {
		if t := get(&cs[i]); t.ok {
			l.add(t.s)
		} else {
			l.add(def)
		}
	}
	return l
}

// deriveVolumes fills the hostPath, flexVolume driver and volume type lists.
func (e *Event) deriveVolumes(vols []json.RawMessage) {
	ok := vols != nil
	paths, drivers, types := list{ok: ok}, list{ok: ok}, list{ok: ok}
	for _, raw := range vols {
		var v volume
		_ = json.Unmarshal(raw, &v)
		paths.addText(v.HostPath.Path)
		drivers.addText(v.FlexVolume.Driver)
		types.add(volumeTypes(string(raw))...)
	}
	e.lists[lHostPaths], e.lists[lFlexVolumeDrivers], e.lists[lVolumeTypes] = paths, drivers, types
}

// volumeTypes returns the keys of a volume object other than "name"
// ("hostPath", "configMap", ...), in document order.
func volumeTypes(obj string) []string {
	var out []string
	jsonptr.EachKey(obj, func(key string) {
		if key != "name" {
			out = append(out, key)
		}
	})
	return out
}
