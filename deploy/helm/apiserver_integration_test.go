//go:build integration

package helm

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

	"github.com/probehub/probehub/internal/testutil"
)

// TestApplyDryRun starts etcd and kube-apiserver built from the module
// proxy (hack/kube-apiserver.sh; PROBEHUB_KUBE_BIN names their directory)
// and server-side applies, as a dry run, every object the chart renders
// with everything enabled into a namespace labelled privileged. The pods of
// every component but the sensor are then created (dry run) in a namespace
// that enforces the restricted Pod Security level. Controls: the sensor's
// pod is admitted in the privileged namespace and rejected in the
// restricted one (host namespaces, hostPath volumes), and a plain
// privileged pod is rejected there, so restricted admission is really on
// and the other components passing it means something. Custom resources
// (Certificate, ServiceMonitor) are left out: their CRDs are not installed.
func TestApplyDryRun(t *testing.T) {
	bin := os.Getenv("PROBEHUB_KUBE_BIN")
	if bin == "" {
		testutil.SkipOrFail(t, "PROBEHUB_KUBE_BIN unset: run hack/kube-apiserver.sh and point it at the directory it prints")
	}
	cfg, _ := startAPIServer(t, bin)
	ctx := context.Background()
	cs := kubernetes.NewForConfigOrDie(cfg)
	dyn := dynamic.NewForConfigOrDie(cfg)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(cfg)))
	for ns, level := range map[string]string{"probehub": "privileged", "restricted": "restricted"} {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns,
			Labels: map[string]string{"pod-security.kubernetes.io/enforce": level}}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The GPU sensor pods name the NVIDIA container runtime's class.
	if _, err := cs.NodeV1().RuntimeClasses().Create(ctx, &nodev1.RuntimeClass{ObjectMeta: metav1.ObjectMeta{Name: "nvidia"},
		Handler: "nvidia"}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	out, err := render(t, loadChart(t), fullValues)
	if err != nil {
		t.Fatal(err)
	}
	sensors := 0
	for _, o := range decode(t, out) {
		if o.Kind == "Certificate" || o.Kind == "ServiceMonitor" || o.Kind == "Namespace" {
			continue
		}
		var u unstructured.Unstructured
		if err := yaml.Unmarshal(o.Doc, &u.Object); err != nil {
			t.Fatal(err)
		}
		m, err := mapper.RESTMapping(u.GroupVersionKind().GroupKind(), u.GroupVersionKind().Version)
		if err != nil {
			t.Fatalf("%s %s: %v", o.Kind, o.Name, err)
		}
		body, err := u.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		force := true
		_, err = dyn.Resource(m.Resource).Namespace(u.GetNamespace()).Patch(ctx, u.GetName(), types.ApplyPatchType, body,
			metav1.PatchOptions{FieldManager: "probehub-test", Force: &force, DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			t.Errorf("%s %s: server-side apply (dry run): %v", o.Kind, o.Name, err)
			continue
		}
		meta, spec, ok := podSpec(o)
		if !ok {
			continue
		}
		if strings.HasPrefix(o.Name, "probehub-sensor") {
			sensors++
			checkSensorAdmission(t, cs, o.Name, meta, spec)
			continue
		}
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: "restricted", Labels: meta.Labels}, Spec: *spec}
		pod.Spec.ServiceAccountName = ""
		if _, err := cs.CoreV1().Pods("restricted").Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
			t.Errorf("%s %s: its pod in a restricted namespace: %v", o.Kind, o.Name, err)
		}
	}
	if sensors == 0 {
		t.Error("no sensor DaemonSet rendered: the admission controls did not run")
	}
	// Negative control: the restricted namespace really enforces, so the
	// other components' pods passing there means something.
	priv := true
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "privileged-control", Namespace: "restricted"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.example.com/x:1",
			SecurityContext: &corev1.SecurityContext{Privileged: &priv}}}}}
	_, err = cs.CoreV1().Pods("restricted").Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `violates PodSecurity "restricted`) ||
		!strings.Contains(err.Error(), `privileged (container "c" must not set securityContext.privileged=true)`) {
		t.Errorf("a privileged pod in the restricted namespace: %v, want Forbidden by PodSecurity restricted naming privileged", err)
	}
	pod.Namespace = "probehub"
	if _, err := cs.CoreV1().Pods("probehub").Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
		t.Errorf("the same privileged pod in the privileged namespace: %v", err)
	}
}

// checkSensorAdmission creates (dry run) the sensor's pod in both
// namespaces: the privileged one (labelled as the README says) admits it,
// and the restricted one rejects it, naming what the sensor needs beyond
// restricted (hostPID, host paths, capabilities).
func checkSensorAdmission(t *testing.T, cs *kubernetes.Clientset, name string, meta *metav1.ObjectMeta, spec *corev1.PodSpec) {
	t.Helper()
	ctx := context.Background()
	for _, ns := range []string{"probehub", "restricted"} {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: meta.Labels}, Spec: *spec}
		pod.Spec.ServiceAccountName = ""
		_, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		switch {
		case ns == "probehub" && err != nil:
			t.Errorf("%s: its pod in the privileged namespace: %v", name, err)
		case ns == "restricted" && (!apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `violates PodSecurity "restricted`) ||
			!strings.Contains(err.Error(), "host namespaces (hostPID=true)") || !strings.Contains(err.Error(), `restricted volume type "hostPath"`)):
			t.Errorf("%s: its pod in the restricted namespace: %v, want Forbidden by PodSecurity restricted (host namespaces, hostPath volumes)", name, err)
		}
	}
}

// startAPIServer starts etcd and kube-apiserver (with extra flags) from
// bin and returns a client configuration and a kubeconfig file for it, both
// as user admin of system:masters (a bearer token).
func startAPIServer(t *testing.T, bin string, extra ...string) (*rest.Config, string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "probehub-kube-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	etcdPeer, etcdClient, apiPort := freePort(t), freePort(t), freePort(t)
	start(t, filepath.Join(bin, "etcd"), "--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", "http://127.0.0.1:"+etcdClient, "--advertise-client-urls", "http://127.0.0.1:"+etcdClient,
		"--listen-peer-urls", "http://127.0.0.1:"+etcdPeer, "--initial-advertise-peer-urls", "http://127.0.0.1:"+etcdPeer,
		"--initial-cluster", "default=http://127.0.0.1:"+etcdPeer)
	key := filepath.Join(dir, "sa.key")
	if out, err := exec.Command("openssl", "genrsa", "-out", key, "2048").CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v: %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte("test-token,admin,1,system:masters\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	start(t, filepath.Join(bin, "kube-apiserver"), append([]string{"--etcd-servers", "http://127.0.0.1:" + etcdClient,
		"--bind-address", "127.0.0.1", "--allow-privileged=true", "--secure-port", apiPort, "--cert-dir", filepath.Join(dir, "certs"),
		"--service-cluster-ip-range", "10.96.0.0/12", "--authorization-mode", "AlwaysAllow",
		"--token-auth-file", filepath.Join(dir, "tokens.csv"), "--disable-admission-plugins", "ServiceAccount",
		"--service-account-issuer", "https://kubernetes.default.svc", "--service-account-key-file", key,
		"--service-account-signing-key-file", key}, extra...)...)
	cfg := &rest.Config{Host: "https://127.0.0.1:" + apiPort, BearerToken: "test-token",
		TLSClientConfig: rest.TLSClientConfig{Insecure: true}}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "`+cfg.Host+`", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: test-token}}]
contexts: [{name: test, context: {cluster: test, user: admin}}]
current-context: test
`), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, err := (&http.Client{Transport: mustTransport(t, cfg), Timeout: 2 * time.Second}).Get(cfg.Host + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cfg, kubeconfig
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("kube-apiserver not ready: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func mustTransport(t *testing.T, cfg *rest.Config) http.RoundTripper {
	rt, err := rest.TransportFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func start(t *testing.T, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	log, err := os.CreateTemp("", filepath.Base(bin)+"-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("%s log (tail):\n%s", filepath.Base(bin), tail(string(b), 3000))
		}
		log.Close()
		os.Remove(log.Name())
	})
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}
