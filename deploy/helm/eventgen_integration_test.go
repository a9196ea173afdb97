//go:build integration

package helm

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/probehub/probehub/internal/testutil"
)

// eventGenK8sAudit is what each k8saudit action of Falco's event-generator
// must raise in the upstream k8s audit rules: the rule its manifest names
// (its falco.org/rule label), the activity rules of what it creates, and
// those of what its teardown deletes. The Deployment actions' pod rules
// need the controllers to create the pods, as in a cluster.
var eventGenK8sAudit = map[string][]string{
	"k8saudit.ClusterRoleWithPodExecCreated":               {"ClusterRole With Pod Exec Created", "K8s Role Created", "K8s Role Deleted"},
	"k8saudit.ClusterRoleWithWildcardCreated":              {"ClusterRole With Wildcard Created"},
	"k8saudit.ClusterRoleWithWritePrivilegesCreated":       {"ClusterRole With Write Privileges Created"},
	"k8saudit.CreateDisallowedPod":                         {"Create Disallowed Pod"},
	"k8saudit.CreateHostNetworkPod":                        {"Create HostNetwork Pod"},
	"k8saudit.CreateModifyConfigmapWithPrivateCredentials": {"Create/Modify Configmap With Private Credentials"},
	"k8saudit.CreateNodePortService":                       {"Create NodePort Service"},
	"k8saudit.CreatePrivilegedPod":                         {"Create Privileged Pod"},
	"k8saudit.CreateSensitiveMountPod":                     {"Create Sensitive Mount Pod"},
	"k8saudit.K8SConfigMapCreated":                         {"K8s ConfigMap Created", "K8s ConfigMap Deleted"},
	"k8saudit.K8SDeploymentCreated":                        {"K8s Deployment Created", "K8s Deployment Deleted"},
	"k8saudit.K8SServiceCreated":                           {"K8s Service Created", "K8s Service Deleted"},
	"k8saudit.K8SServiceaccountCreated": {"K8s Serviceaccount Created", "K8s Serviceaccount Deleted",
		"K8s RoleBinding Created", "K8s RoleBinding Deleted"},
}

// TestAuditEventGenerator is the audit half of Falco's event-generator
// against what the chart ships, end to end with real parts: etcd,
// kube-apiserver and kube-controller-manager built from the module proxy
// (hack/kube-apiserver.sh; PROBEHUB_KUBE_BIN), the API server auditing
// with the chart's audit policy through the chart's webhook kubeconfig
// (the probehub-apiserver-audit ConfigMap, its server, CA and token filled
// in as its comments say), the sensor run as the chart's audit receiver
// (startAuditReceiver) with the upstream k8s audit rules added to its
// rules directory, and the real event-generator (PROBEHUB_EVENT_GENERATOR;
// hack/event-generator.sh) running every k8saudit action, those it ships
// disabled included. Each action must raise its rules (eventGenK8sAudit),
// and also in a second sensor that follows the API server's audit log file
// (its log backend, same policy) instead.
//
// Slow: starts a control plane and waits for its audit batches (2 min).
func TestAuditEventGenerator(t *testing.T) {
	bin, evgen := os.Getenv("PROBEHUB_KUBE_BIN"), os.Getenv("PROBEHUB_EVENT_GENERATOR")
	if bin == "" || evgen == "" {
		testutil.SkipOrFail(t, "needs PROBEHUB_KUBE_BIN (hack/kube-apiserver.sh) and PROBEHUB_EVENT_GENERATOR (hack/event-generator.sh)")
	}
	for _, b := range []string{filepath.Join(bin, "kube-controller-manager"), evgen} {
		if _, err := os.Stat(b); err != nil {
			t.Fatalf("%v: rebuild with hack/kube-apiserver.sh and hack/event-generator.sh", err)
		}
	}
	upstream, err := os.ReadFile(testutil.SharedData(t, "k8s_audit_rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := render(t, loadChart(t), fullValues)
	if err != nil {
		t.Fatal(err)
	}
	objs := decode(t, out)
	var apiFiles map[string]string
	for _, o := range objs {
		if cm, ok := o.Value.(*corev1.ConfigMap); ok && cm.Name == "probehub-apiserver-audit" {
			apiFiles = cm.Data
		}
	}
	if apiFiles["webhook-kubeconfig.yaml"] == "" || apiFiles["audit-policy.yaml"] == "" {
		t.Fatalf("the probehub-apiserver-audit ConfigMap lacks webhook-kubeconfig.yaml or audit-policy.yaml: %v", apiFiles)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	// The upstream file allows every image until a user lists the allowed
	// ones: a local file does, loaded after it (rules directories load in
	// name order), so the event-generator's busybox pods are disallowed.
	// --all-matches (rule_matching: all): with Falco's default, the first
	// match only, "Create Disallowed Pod", earlier in the file, would take
	// every pod event from the privileged, host network and sensitive mount
	// rules.
	rules := map[string]string{
		"k8s_audit_rules.yaml": string(upstream),
		"k8s_audit_rules_local.yaml": `- macro: allowed_k8s_containers
  condition: (ka.req.pod.containers.image.repository in (registry.example.com/allowed))
`}
	rc := startAuditReceiver(ctx, t, objs, rules, "--all-matches")
	// The other way in: the API server's log backend (same policy) and a
	// sensor following its file.
	logFile := filepath.Join(t.TempDir(), "audit.log")
	fileAlerts, fileLog := startAuditTail(ctx, t, logFile, rules, "--all-matches")

	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(ca, []byte(rc.cert), 0o600); err != nil {
		t.Fatal(err)
	}
	webhook := filepath.Join(dir, "webhook-kubeconfig.yaml")
	if err := os.WriteFile(webhook, fillWebhookConfig(t, apiFiles["webhook-kubeconfig.yaml"], rc.addr, ca, rc.token), 0o600); err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(apiFiles["audit-policy.yaml"]), 0o600); err != nil {
		t.Fatal(err)
	}
	// The batch flags as the webhook kubeconfig's comment asks (its
	// receiver's body limit), and batches sent each second rather than
	// every 30 s.
	maxBody := ""
	for _, line := range strings.Split(apiFiles["webhook-kubeconfig.yaml"], "\n") {
		if _, v, ok := strings.Cut(line, "--audit-webhook-truncate-max-batch-size="); ok {
			maxBody = strings.TrimSpace(v)
		}
	}
	if maxBody == "" {
		t.Fatalf("the webhook kubeconfig's comment names no --audit-webhook-truncate-max-batch-size:\n%s", apiFiles["webhook-kubeconfig.yaml"])
	}
	_, kubeconfig := startAPIServer(t, bin, "--audit-policy-file", policy, "--audit-webhook-config-file", webhook,
		"--audit-webhook-truncate-enabled=true", "--audit-webhook-truncate-max-batch-size="+maxBody,
		"--audit-webhook-batch-max-wait=1s", "--audit-log-path", logFile)
	// The deployment and replicaset controllers turn the Deployment
	// actions into pods (no scheduler: they stay pending, which is
	// enough: their creation is what is audited).
	start(t, filepath.Join(bin, "kube-controller-manager"), "--kubeconfig", kubeconfig,
		"--controllers", "deployment,replicaset", "--leader-elect=false", "--secure-port=0")

	listed, err := exec.CommandContext(ctx, evgen, "list", `k8saudit\.`, "--all").Output()
	if err != nil {
		t.Fatalf("event-generator list: %v", err)
	}
	actions := strings.Fields(string(listed))
	// The tool's actions, those it ships disabled included (--all).
	var unknown []string
	for _, a := range actions {
		if _, ok := eventGenK8sAudit[a]; !ok {
			unknown = append(unknown, a)
		}
	}
	if len(unknown) > 0 || len(actions) == 0 {
		t.Fatalf("event-generator lists k8saudit actions %v; this test knows %d and not %v: add them to eventGenK8sAudit", actions, len(eventGenK8sAudit), unknown)
	}
	// --sleep: time for the controllers to make each Deployment's pod
	// before the next action (the teardown deletes everything at the end).
	gen := exec.CommandContext(ctx, evgen, "run", `k8saudit\.`, "--all", "--kubeconfig", kubeconfig, "--sleep", "2s")
	genOut, err := gen.CombinedOutput()
	t.Logf("event-generator:\n%s", genOut)
	if err != nil {
		t.Fatalf("event-generator run: %v", err)
	}
	if strings.Contains(string(genOut), "level=error") {
		t.Fatalf("event-generator reported errors (above)")
	}

	want := map[string]bool{}
	for _, a := range actions {
		for _, r := range eventGenK8sAudit[a] {
			want[r] = true
		}
	}
	for _, in := range []struct {
		name   string
		alerts <-chan string
		log    *lockedBuffer
	}{{"the webhook receiver", rc.alerts, rc.stderr}, {"the audit log's tail", fileAlerts, fileLog}} {
		got := awaitRules(t, in.alerts, want, 90*time.Second)
		if missing := missingRules(want, got); len(missing) > 0 {
			t.Errorf("%s: no alert for %v within 90 s of the last action; alerts by rule: %v\nits log:\n%s",
				in.name, missing, got, tail(in.log.String(), 4000))
			continue
		}
		t.Logf("%s: %d actions, every expected rule raised; alerts by rule: %v", in.name, len(actions), fmt.Sprint(got))
	}
}

// awaitRules reads alerts until every rule of want has come from an event
// of the event-generator's user, or for d; it returns the count of such
// alerts by rule.
func awaitRules(t *testing.T, alerts <-chan string, want map[string]bool, d time.Duration) map[string]int {
	t.Helper()
	got := map[string]int{}
	deadline := time.After(d) // a few audit batches
	for len(missingRules(want, got)) > 0 {
		select {
		case line, ok := <-alerts:
			if !ok {
				t.Errorf("the sensor exited")
				return got
			}
			var a struct {
				Rule   string         `json:"rule"`
				Source string         `json:"source"`
				Fields map[string]any `json:"output_fields"`
			}
			if json.Unmarshal([]byte(line), &a) != nil || a.Rule == "" {
				continue
			}
			// The tool's requests and the pods the controllers made for
			// them come as admin (the kubeconfig's user); the control
			// plane's own objects (its Service, ConfigMaps, namespaces)
			// as system:apiserver and do not count.
			if a.Fields["ka.user.name"] != "admin" {
				continue
			}
			if a.Source != "k8s_audit" {
				t.Errorf("alert %q from source %q, want k8s_audit", a.Rule, a.Source)
			}
			if got[a.Rule] == 0 && want[a.Rule] {
				t.Logf("alert: %.300s", line)
			}
			got[a.Rule]++
		case <-deadline:
			return got
		}
	}
	return got
}

// missingRules lists, sorted, the rules of want not in got.
func missingRules(want map[string]bool, got map[string]int) []string {
	var m []string
	for r := range want {
		if got[r] == 0 {
			m = append(m, r)
		}
	}
	slices.Sort(m)
	return m
}

// startAuditTail runs the real sensor as a user following the API
// server's audit log runs it (`run --no-capture --k8s-audit-file`), with
// rules (file name → content) in a rules directory. The file may not
// exist yet: it is read from its start when it appears.
func startAuditTail(ctx context.Context, t *testing.T, file string, rules map[string]string, extraArgs ...string) (<-chan string, *lockedBuffer) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "rules.d")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range rules {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(ctx, buildSensor(t), append([]string{"run", "--no-capture", "--no-cri", "--gpu-filter=off",
		"--metrics-listen=", "--rules", dir, "--k8s-audit-file", file, "--duration", "10m"}, extraArgs...)...)
	return startSensorProc(ctx, t, cmd, "following k8s audit log")
}

// fillWebhookConfig fills the chart's webhook kubeconfig in as its comment
// tells an operator to: the receiver's address (here 127.0.0.1:port, not
// the Service), its CA and the token. It checks the chart's file has the
// placeholders where the comment says.
func fillWebhookConfig(t *testing.T, chartFile, addr, ca, token string) []byte {
	t.Helper()
	var cfg struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Clusters   []struct {
			Name    string `json:"name"`
			Cluster struct {
				Server string `json:"server"`
				CA     string `json:"certificate-authority"`
			} `json:"cluster"`
		} `json:"clusters"`
		Users []struct {
			Name string `json:"name"`
			User struct {
				Token string `json:"token"`
			} `json:"user"`
		} `json:"users"`
		Contexts       []map[string]any `json:"contexts"`
		CurrentContext string           `json:"current-context"`
	}
	if err := yaml.UnmarshalStrict([]byte(chartFile), &cfg); err != nil {
		t.Fatalf("the chart's webhook kubeconfig: %v\n%s", err, chartFile)
	}
	if len(cfg.Clusters) != 1 || len(cfg.Users) != 1 || cfg.Users[0].User.Token != "TOKEN" ||
		!strings.HasSuffix(cfg.Clusters[0].Cluster.Server, "/k8s-audit") || cfg.Clusters[0].Cluster.CA == "" {
		t.Fatalf("the chart's webhook kubeconfig: want one cluster with an https server ending /k8s-audit and a CA, one user with token TOKEN:\n%s", chartFile)
	}
	cfg.Clusters[0].Cluster.Server = "https://" + addr + "/k8s-audit"
	cfg.Clusters[0].Cluster.CA = ca
	cfg.Users[0].User.Token = token
	b, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
