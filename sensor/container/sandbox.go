package container

import (
	"encoding/json"
	"strings"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/probehub/probehub/sensor/event"
)

// maxAnnotationLen bounds a pod annotation value kept in the cache (longer
// ones, such as kubectl's last-applied-configuration, are read for the
// probes and dropped): a node's cache must not hold megabytes per pod.
const maxAnnotationLen = 1024

// maxCNIResultLen bounds k8s.pod.cni.json, as Falco does.
const maxCNIResultLen = 4096

// lastApplied is the annotation kubectl apply leaves on a pod (and kubelet
// passes to its sandbox): the pod as applied, probes included.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// sandboxInfo is the part of a verbose PodSandboxStatus's info["info"] JSON
// that we read: containerd's CNI result (go-cni's Result), or CRI-O's in
// an annotation of the sandbox's runtime spec.
type sandboxInfo struct {
	CNIResult struct {
		Interfaces map[string]map[string]json.RawMessage `json:"Interfaces"`
	} `json:"cniResult"`
	RuntimeSpec struct {
		Annotations map[string]string `json:"annotations"`
	} `json:"runtimeSpec"`
}

// addSandbox adds the pod's fields from its sandbox's status and verbose
// info: name, namespace and uid where the container's labels lacked them,
// the sandbox id, the pod's labels (without kubelet's io.kubernetes.pod.*
// bookkeeping labels, which are the name, namespace and uid) and
// annotations, its IP (none on the host network), host namespaces, CNI
// result, and the container's exec probes from kubectl's
// last-applied-configuration.
func addSandbox(c *event.Container, sb *runtimeapi.PodSandboxStatus, info map[string]string) {
	if sb == nil {
		return
	}
	md := sb.GetMetadata()
	setEmpty(&c.PodName, md.GetName())
	setEmpty(&c.Namespace, md.GetNamespace())
	setEmpty(&c.PodUID, md.GetUid())
	c.PodSandboxID = sb.Id
	for k, v := range sb.Labels {
		if strings.HasPrefix(k, "io.kubernetes.pod.") || len(v) > maxLabelLen {
			continue
		}
		if c.PodLabels == nil {
			c.PodLabels = make(map[string]string, len(sb.Labels))
		}
		c.PodLabels[k] = v
	}
	for k, v := range sb.Annotations {
		if len(v) > maxAnnotationLen {
			continue
		}
		if c.PodAnnotations == nil {
			c.PodAnnotations = make(map[string]string, len(sb.Annotations))
		}
		c.PodAnnotations[k] = v
	}
	opts := sb.GetLinux().GetNamespaces().GetOptions()
	c.HostNetwork = c.HostNetwork || opts.GetNetwork() == runtimeapi.NamespaceMode_NODE
	c.HostPID = c.HostPID || opts.GetPid() == runtimeapi.NamespaceMode_NODE
	c.HostIPC = c.HostIPC || opts.GetIpc() == runtimeapi.NamespaceMode_NODE
	if ip := sb.GetNetwork().GetIp(); ip != "" && !c.HostNetwork {
		c.PodIP, c.IP = ip, ip
	}
	c.PodCNIJSON = cniResult(info)
	if c.Name != "" {
		c.LivenessProbe, c.ReadinessProbe = probes(sb.Annotations[lastApplied], c.Name)
	}
	if c.Labels == nil {
		c.Labels = make(map[string]string, 1)
	}
	c.Labels[LabelSandboxID] = sb.Id
}

// sandboxOnly is the metadata of a pod sandbox's own (pause) container, as
// Falco fills it: named after the pod, labelled with its labels.
func sandboxOnly(sb *runtimeapi.PodSandboxStatus, info map[string]string) event.Container {
	c := event.Container{Name: sb.GetMetadata().GetName(), Labels: containerLabels(sb.Labels)}
	if sb.CreatedAt > 0 {
		c.Start = time.Unix(0, sb.CreatedAt)
	}
	addSandbox(&c, sb, info)
	return c
}

// cniResult renders the sandbox's CNI result as Falco does: containerd's
// interfaces without lo and the host-side veths, and without their MAC
// and netns path; or CRI-O's annotation as it is.
func cniResult(info map[string]string) string {
	raw := info["info"]
	if raw == "" {
		return ""
	}
	var si sandboxInfo
	if json.Unmarshal([]byte(raw), &si) != nil {
		return ""
	}
	var out string
	if ifs := si.CNIResult.Interfaces; ifs != nil {
		keep := make(map[string]map[string]json.RawMessage, len(ifs))
		for name, cfg := range ifs {
			if name == "lo" || strings.HasPrefix(name, "veth") {
				continue
			}
			delete(cfg, "Mac")
			delete(cfg, "Sandbox")
			keep[name] = cfg
		}
		b, err := json.Marshal(keep)
		if err != nil {
			return ""
		}
		out = string(b)
	} else {
		out = strings.TrimSuffix(si.RuntimeSpec.Annotations["io.kubernetes.cri-o.CNIResult"], "\n")
	}
	if len(out) > maxCNIResultLen {
		out = out[:maxCNIResultLen]
	}
	return out
}

// appliedPod is the part of a pod manifest the probes come from.
type appliedPod struct {
	Spec struct {
		Containers []struct {
			Name           string        `json:"name"`
			LivenessProbe  *appliedProbe `json:"livenessProbe"`
			ReadinessProbe *appliedProbe `json:"readinessProbe"`
		} `json:"containers"`
	} `json:"spec"`
}

type appliedProbe struct {
	Exec struct {
		Command []string `json:"command"`
	} `json:"exec"`
}

func (p *appliedProbe) command() []string {
	if p == nil {
		return nil
	}
	return p.Exec.Command
}

// probes returns the exec liveness and readiness probe commands of the
// container named name in a pod manifest (kubectl's
// last-applied-configuration); HTTP and TCP probes run no command.
func probes(manifest, name string) (liveness, readiness []string) {
	if manifest == "" {
		return nil, nil
	}
	var pod appliedPod
	if json.Unmarshal([]byte(manifest), &pod) != nil {
		return nil, nil
	}
	for _, ct := range pod.Spec.Containers {
		if ct.Name == name {
			return ct.LivenessProbe.command(), ct.ReadinessProbe.command()
		}
	}
	return nil, nil
}

func setEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
