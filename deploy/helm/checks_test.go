package helm

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/probehub/probehub/sensor/output"
)

// certificate is the part of cert-manager's Certificate (cert-manager.io/v1)
// the chart uses; strict decoding rejects anything else.
type certificate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		SecretName  string   `json:"secretName"`
		DNSNames    []string `json:"dnsNames"`
		IPAddresses []string `json:"ipAddresses,omitempty"`
		IssuerRef   struct {
			Name  string `json:"name"`
			Kind  string `json:"kind"`
			Group string `json:"group"`
		} `json:"issuerRef"`
	} `json:"spec"`
}

// serviceMonitor is the part of the Prometheus Operator's ServiceMonitor
// (monitoring.coreos.com/v1) the chart uses.
type serviceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Selector          metav1.LabelSelector `json:"selector"`
		NamespaceSelector struct {
			MatchNames []string `json:"matchNames"`
		} `json:"namespaceSelector"`
		Endpoints []struct {
			Port          string `json:"port"`
			Path          string `json:"path"`
			Interval      string `json:"interval"`
			Authorization *struct {
				Type        string                   `json:"type"`
				Credentials corev1.SecretKeySelector `json:"credentials"`
			} `json:"authorization,omitempty"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// podSpec returns the pod template of a workload object.
func podSpec(o object) (*metav1.ObjectMeta, *corev1.PodSpec, bool) {
	switch v := o.Value.(type) {
	case *appsv1.DaemonSet:
		return &v.Spec.Template.ObjectMeta, &v.Spec.Template.Spec, true
	case *appsv1.Deployment:
		return &v.Spec.Template.ObjectMeta, &v.Spec.Template.Spec, true
	case *batchv1.Job:
		return &v.Spec.Template.ObjectMeta, &v.Spec.Template.Spec, true
	case *batchv1.CronJob:
		return &v.Spec.JobTemplate.Spec.Template.ObjectMeta, &v.Spec.JobTemplate.Spec.Template.Spec, true
	}
	return nil, nil, false
}

// SensorCapabilities is what the chart grants the sensor by default; the
// least-privilege test in cmd/probehub-sensor runs the sensor with exactly
// these (and one fewer each).
var SensorCapabilities = []corev1.Capability{"BPF", "PERFMON", "SYS_PTRACE"}

// checkObjects checks what every workload must do: no service-account token,
// read-only root filesystems, RuntimeDefault seccomp, a memory limit; the
// sensor has exactly its capabilities and read-only host mounts but its
// cache; everything else passes the restricted Pod Security level (the
// admission plugin's own checks).
// pinnedImage is an image reference pinned by digest, with its tag.
var pinnedImage = regexp.MustCompile(`^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$`)

func checkObjects(t *testing.T, objs []object) {
	t.Helper()
	restricted, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	sensors := 0
	for _, o := range objs {
		meta, spec, ok := podSpec(o)
		if !ok {
			continue
		}
		if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
			t.Errorf("%s %s: mounts a service-account token; no component reads the API", o.Kind, o.Name)
		}
		for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
			if !pinnedImage.MatchString(c.Image) || strings.Contains(c.Image, ":latest") {
				t.Errorf("%s %s: container %s: image %q is not pinned: want REPO:TAG@sha256:<64 hex>, never latest", o.Kind, o.Name, c.Name, c.Image)
			}
			sc := c.SecurityContext
			if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				t.Errorf("%s %s: container %s: root filesystem not read-only", o.Kind, o.Name, c.Name)
			}
			if sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Errorf("%s %s: container %s: seccomp not RuntimeDefault", o.Kind, o.Name, c.Name)
			}
			if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
				t.Errorf("%s %s: container %s: no memory limit", o.Kind, o.Name, c.Name)
			}
		}
		for _, v := range spec.Volumes {
			if v.Secret != nil && o.Name != "probehub-sensor" && o.Name != "probehub-sensor-gpu" &&
				(v.Secret.DefaultMode == nil || *v.Secret.DefaultMode&0o004 != 0 || spec.SecurityContext.FSGroup == nil) {
				t.Errorf("%s %s: Secret volume %s must not be world-readable (serve refuses such token files) and needs fsGroup to be readable by UID 65532", o.Kind, o.Name, v.Name)
			}
		}
		if strings.HasPrefix(o.Name, "probehub-sensor") {
			sensors++
			checkSensor(t, o, spec)
			continue
		}
		res := restricted.EvaluatePod(psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}, meta, spec)
		for _, r := range res {
			if !r.Allowed {
				t.Errorf("%s %s: not allowed at the restricted Pod Security level: %s: %s", o.Kind, o.Name, r.ForbiddenReason, r.ForbiddenDetail)
			}
		}
	}
	if sensors == 0 {
		t.Error("no sensor DaemonSet rendered")
	}
	checkRoutes(t, objs)
}

// checkRoutes loads the rendered routes.yaml with the sensor's own loader.
func checkRoutes(t *testing.T, objs []object) {
	t.Helper()
	for _, o := range objs {
		s, ok := o.Value.(*corev1.Secret)
		if !ok || s.Name != "probehub-routes" {
			continue
		}
		p := filepath.Join(t.TempDir(), "routes.yaml")
		if err := os.WriteFile(p, []byte(s.StringData["routes.yaml"]), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := output.LoadConfig(p)
		if err != nil {
			t.Fatalf("rendered routes.yaml: %v\n%s", err, s.StringData["routes.yaml"])
		}
		if _, closers, err := c.Build(io.Discard); err != nil {
			t.Fatalf("rendered routes.yaml: build: %v", err)
		} else {
			for _, cl := range closers {
				_ = cl.Close()
			}
		}
		return
	}
	t.Error("no probehub-routes Secret rendered")
}

func checkSensor(t *testing.T, o object, spec *corev1.PodSpec) {
	t.Helper()
	if !spec.HostPID {
		t.Errorf("%s: no hostPID", o.Name)
	}
	c := spec.Containers[0]
	sc := c.SecurityContext
	if sc.Privileged != nil && *sc.Privileged {
		t.Errorf("%s: privileged", o.Name)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: allows privilege escalation", o.Name)
	}
	if sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) ||
		!slices.Equal(sc.Capabilities.Add, SensorCapabilities) {
		t.Errorf("%s: capabilities %+v, want drop ALL, add %v", o.Name, sc.Capabilities, SensorCapabilities)
	}
	hostPath := map[string]bool{}
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			hostPath[v.Name] = true
		}
	}
	for _, m := range c.VolumeMounts {
		if hostPath[m.Name] && !m.ReadOnly && m.Name != "cache" {
			t.Errorf("%s: host mount %s (%s) is writable", o.Name, m.Name, m.MountPath)
		}
	}
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/healthz" ||
		c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("%s: readiness and liveness must probe /healthz", o.Name)
	}
}
