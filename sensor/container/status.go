package container

import (
	"encoding/json"
	"strings"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/probehub/probehub/sensor/event"
)

// Labels kubelet puts on every container and pod sandbox it creates.
const (
	LabelPodName       = "io.kubernetes.pod.name"
	LabelPodNamespace  = "io.kubernetes.pod.namespace"
	LabelPodUID        = "io.kubernetes.pod.uid"
	LabelContainerName = "io.kubernetes.container.name"
)

// statusInfo is the part of a verbose ContainerStatus's info["info"] JSON
// that we read. containerd puts the CRI ContainerConfig under "config";
// CRI-O puts a top-level "privileged". Both carry "sandboxID" and the OCI
// "runtimeSpec", whose annotations name the image when the status only has
// its id.
type statusInfo struct {
	SandboxID  string `json:"sandboxID"`
	Privileged *bool  `json:"privileged"` // CRI-O
	Config     struct {
		Linux struct {
			SecurityContext struct {
				Privileged *bool `json:"privileged"`
			} `json:"security_context"`
		} `json:"linux"`
	} `json:"config"` // containerd
	RuntimeSpec struct {
		Annotations map[string]string `json:"annotations"`
	} `json:"runtimeSpec"`
}

// Annotations, in order of preference, that name a container's image in
// the OCI runtime spec: containerd's, then CRI-O's.
var imageAnnotations = []string{
	"io.kubernetes.cri.image-name",
	"io.kubernetes.cri-o.ImageName",
	"io.kubernetes.cri-o.Image",
}

// parseInfo decodes the verbose info. A runtime that sends none, or
// something else, yields the zero value: privileged then reads false.
func parseInfo(info map[string]string) statusInfo {
	var si statusInfo
	if raw := info["info"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &si); err != nil {
			return statusInfo{}
		}
	}
	return si
}

func (si statusInfo) privileged() bool {
	if p := si.Config.Linux.SecurityContext.Privileged; p != nil {
		return *p
	}
	return si.Privileged != nil && *si.Privileged
}

// fromStatus fills what a container's status and verbose info tell, and
// returns the pod sandbox id the info names (empty when it names none).
func fromStatus(s *runtimeapi.ContainerStatus, info map[string]string) (event.Container, string) {
	si := parseInfo(info)
	c := event.Container{
		Name:       s.GetMetadata().GetName(),
		Image:      imageName(s, si),
		Privileged: si.privileged(),
		Mounts:     mounts(s.Mounts),
		PodName:    s.Labels[LabelPodName],
		Namespace:  s.Labels[LabelPodNamespace],
		PodUID:     s.Labels[LabelPodUID],
	}
	if c.Name == "" {
		c.Name = s.Labels[LabelContainerName]
	}
	if im, err := ParseImage(c.Image); err == nil {
		c.ImageRepo, c.ImageTag = im.Repo, im.Tag
	}
	return c, si.SandboxID
}

// imageName is container.image: the name the container was created from.
// Runtimes report a bare id ("sha256:…") for images pulled by digest; then
// the runtime spec's annotation names it, or else the "repo@digest" image
// ref does, or else the id stays.
func imageName(s *runtimeapi.ContainerStatus, si statusInfo) string {
	name := s.GetImage().GetImage()
	if name != "" && !isImageID(name) {
		return name
	}
	for _, a := range imageAnnotations {
		if v := si.RuntimeSpec.Annotations[a]; v != "" && !isImageID(v) {
			return v
		}
	}
	if strings.Contains(s.ImageRef, "@") {
		return s.ImageRef
	}
	if name == "" {
		return s.ImageRef
	}
	return name
}

func mounts(ms []*runtimeapi.Mount) []event.Mount {
	if len(ms) == 0 {
		return nil
	}
	out := make([]event.Mount, 0, len(ms))
	for _, m := range ms {
		out = append(out, event.Mount{Source: m.HostPath, Dest: m.ContainerPath, RW: !m.Readonly})
	}
	return out
}

// addSandbox adds the pod's fields from its sandbox: the pod's labels
// (without kubelet's io.kubernetes.pod.* bookkeeping labels, which are the
// name, namespace and uid filled here) and, where the container's labels
// lacked them, name, namespace and uid from the sandbox metadata.
func addSandbox(c *event.Container, sb *runtimeapi.PodSandboxStatus) {
	if sb == nil {
		return
	}
	md := sb.GetMetadata()
	if c.PodName == "" {
		c.PodName = md.GetName()
	}
	if c.Namespace == "" {
		c.Namespace = md.GetNamespace()
	}
	if c.PodUID == "" {
		c.PodUID = md.GetUid()
	}
	for k, v := range sb.Labels {
		if strings.HasPrefix(k, "io.kubernetes.pod.") {
			continue
		}
		if c.PodLabels == nil {
			c.PodLabels = make(map[string]string, len(sb.Labels))
		}
		c.PodLabels[k] = v
	}
}
