package container

import (
	"encoding/json"
	"strings"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/probehub/probehub/sensor/event"
)

// Labels kubelet puts on every container and pod sandbox it creates.
const (
	LabelPodName       = "io.kubernetes.pod.name"
	LabelPodNamespace  = "io.kubernetes.pod.namespace"
	LabelPodUID        = "io.kubernetes.pod.uid"
	LabelContainerName = "io.kubernetes.container.name"
	// LabelSandboxID is added to container.labels with the pod sandbox's
	// id, as Falco does.
	LabelSandboxID = "io.kubernetes.sandbox.id"
)

// maxLabelLen bounds a label value kept in container.labels (Falco's
// default container_engines label_max_len).
const maxLabelLen = 100

// statusInfo is the part of a verbose ContainerStatus's info["info"] JSON
// that we read. containerd puts the CRI ContainerConfig under "config" (its
// Go JSON form: snake_case keys, enums as numbers); CRI-O puts a top-level
// "privileged". Both carry "sandboxID" and the OCI "runtimeSpec", whose
// annotations name the image when the status only has its id.
type statusInfo struct {
	SandboxID  string `json:"sandboxID"`
	Privileged *bool  `json:"privileged"` // CRI-O
	Config     struct {
		Image struct {
			Image string `json:"image"`
		} `json:"image"`
		Linux struct {
			SecurityContext securityContext `json:"security_context"`
		} `json:"linux"`
	} `json:"config"` // containerd
	RuntimeSpec struct {
		Annotations map[string]string `json:"annotations"`
		Process     struct {
			Args []string `json:"args"`
		} `json:"process"`
		Linux struct {
			SecurityContext securityContext `json:"security_context"` // containerd before 1.1
		} `json:"linux"`
	} `json:"runtimeSpec"`
}

type securityContext struct {
	Privileged       *bool `json:"privileged"`
	NamespaceOptions struct {
		Network, Pid, Ipc runtimeapi.NamespaceMode
	} `json:"namespace_options"`
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

// privileged reads the flag where each runtime puts it, in Falco's order:
// the runtime spec (old containerd), the CRI config (containerd), the top
// level (CRI-O).
func (si statusInfo) privileged() bool {
	for _, p := range []*bool{si.RuntimeSpec.Linux.SecurityContext.Privileged, si.Config.Linux.SecurityContext.Privileged, si.Privileged} {
		if p != nil {
			return *p
		}
	}
	return false
}

// fromStatus fills what a container's status and verbose info tell, and
// returns the pod sandbox id the info names (empty when it names none).
func fromStatus(s *runtimeapi.ContainerStatus, info map[string]string) (event.Container, string) {
	si := parseInfo(info)
	ns := si.Config.Linux.SecurityContext.NamespaceOptions
	c := event.Container{
		Name:        s.GetMetadata().GetName(),
		Image:       imageName(s, si),
		Privileged:  si.privileged(),
		HostNetwork: ns.Network == runtimeapi.NamespaceMode_NODE,
		HostPID:     ns.Pid == runtimeapi.NamespaceMode_NODE,
		HostIPC:     ns.Ipc == runtimeapi.NamespaceMode_NODE,
		Mounts:      mounts(s.Mounts),
		Cmdline:     si.RuntimeSpec.Process.Args,
		Labels:      containerLabels(s.Labels),
		PodName:     s.Labels[LabelPodName],
		Namespace:   s.Labels[LabelPodNamespace],
		PodUID:      s.Labels[LabelPodUID],
	}
	if s.CreatedAt > 0 {
		c.Start = time.Unix(0, s.CreatedAt)
	}
	if c.Name == "" {
		c.Name = s.Labels[LabelContainerName]
	}
	if im, err := ParseImage(c.Image); err == nil {
		c.ImageRepo, c.ImageTag = im.Repo, im.Tag
	}
	c.ImageDigest, c.ImageID = imageDigest(s.ImageRef), imageID(s, si)
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

// imageDigest is container.image.digest as Falco takes it from the image
// ref: the "sha256:…" after '@' of "repo@sha256:…", or a bare "sha256:…"
// ref whole.
func imageDigest(ref string) string {
	i := strings.Index(ref, "sha256:")
	switch {
	case i == 0:
		return ref
	case i > 0 && ref[i-1] == '@':
		return ref[i:]
	}
	return ""
}

// imageID is container.image.id: the hex of the image id containerd keeps
// in the container's config (kubelet creates containers from the image's
// id; Falco reads it there), else of the status's image_id (CRI v1.29+),
// else of a bare id the status names.
func imageID(s *runtimeapi.ContainerStatus, si statusInfo) string {
	for _, v := range []string{si.Config.Image.Image, s.ImageId, s.GetImage().GetImage(), s.ImageRef} {
		if isImageID(v) {
			_, hex, _ := strings.Cut(v, ":")
			return hex
		}
	}
	return ""
}

// mounts are the container's CRI mounts (its volumes, not the runtime's
// own /proc, /dev… mounts), as Falco's CRI engine reads them: no mode,
// propagation named private, rslave or rshared.
func mounts(ms []*runtimeapi.Mount) []event.Mount {
	if len(ms) == 0 {
		return nil
	}
	out := make([]event.Mount, 0, len(ms))
	for _, m := range ms {
		out = append(out, event.Mount{Source: m.HostPath, Dest: m.ContainerPath, RW: !m.Readonly,
			Propagation: propagation(m.Propagation)})
	}
	return out
}

func propagation(p runtimeapi.MountPropagation) string {
	switch p {
	case runtimeapi.MountPropagation_PROPAGATION_PRIVATE:
		return "private"
	case runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER:
		return "rslave"
	case runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL:
		return "rshared"
	}
	return "unknown"
}

// containerLabels are the container's own labels whose values are at most
// maxLabelLen long (container.label[…]).
func containerLabels(l map[string]string) map[string]string {
	if len(l) == 0 {
		return nil
	}
	out := make(map[string]string, len(l)+1)
	for k, v := range l {
		if len(v) <= maxLabelLen {
			out[k] = v
		}
	}
	return out
}
