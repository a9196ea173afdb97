package response

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// The Kubernetes actions against client-go's fake clientset: the objects
// the API server would receive are checked exactly.
func TestKubeActions(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "team-a", Labels: map[string]string{"app": "web"}}}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "gpu-node-1"}}
	cs := fake.NewClientset(pod, node)
	k := &Kube{Core: cs.CoreV1(), Networking: cs.NetworkingV1()}
	ctx := context.Background()

	if err := k.PatchPodMeta(ctx, "team-a", "web-0", map[string]string{"probehub.io/quarantine": "true"}, map[string]string{"probehub.io/reason": "shell"}); err != nil {
		t.Fatal(err)
	}
	if err := k.Isolate(ctx, "team-a", "web-0", "contain"); err != nil {
		t.Fatal(err)
	}
	if err := k.Isolate(ctx, "team-a", "web-0", "contain"); err != nil { // again: the policy exists
		t.Fatalf("second isolate: %v", err)
	}
	got, err := cs.CoreV1().Pods("team-a").Get(ctx, "web-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantLabels := map[string]string{"app": "web", "probehub.io/quarantine": "true", IsolateLabel: "web-0"}
	if d := cmp.Diff(wantLabels, got.Labels); d != "" {
		t.Errorf("pod labels (-want +got):\n%s", d)
	}
	if got.Annotations["probehub.io/reason"] != "shell" {
		t.Errorf("annotations %v", got.Annotations)
	}
	np, err := cs.NetworkingV1().NetworkPolicies("team-a").Get(ctx, "probehub-isolate-web-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantSpec := networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{IsolateLabel: "web-0"}},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
	}
	if d := cmp.Diff(wantSpec, np.Spec); d != "" {
		t.Errorf("network policy spec (-want +got):\n%s", d)
	}
	if len(np.Spec.Ingress) != 0 || len(np.Spec.Egress) != 0 {
		t.Error("isolation policy allows some traffic")
	}
	// The policy was created before the pod was labelled.
	var order []string
	for _, a := range cs.Actions() {
		if a.GetVerb() == "create" || (a.GetVerb() == "patch" && a.GetResource().Resource == "pods") {
			order = append(order, a.GetVerb()+" "+a.GetResource().Resource)
		}
	}
	if d := cmp.Diff([]string{"patch pods", "create networkpolicies", "patch pods", "create networkpolicies", "patch pods"}, order); d != "" {
		t.Errorf("API call order (-want +got):\n%s", d)
	}

	if err := k.Cordon(ctx, "gpu-node-1"); err != nil {
		t.Fatal(err)
	}
	n, _ := cs.CoreV1().Nodes().Get(ctx, "gpu-node-1", metav1.GetOptions{})
	if !n.Spec.Unschedulable {
		t.Error("node not cordoned")
	}

	zero := time.Duration(0)
	if err := k.DeletePod(ctx, "team-a", "web-0", &zero); err != nil {
		t.Fatal(err)
	}
	var del k8stesting.DeleteActionImpl
	for _, a := range cs.Actions() {
		if d, ok := a.(k8stesting.DeleteActionImpl); ok {
			del = d
		}
	}
	if del.Name != "web-0" || del.DeleteOptions.GracePeriodSeconds == nil || *del.DeleteOptions.GracePeriodSeconds != 0 {
		t.Errorf("delete action %+v", del)
	}
	if _, err := cs.CoreV1().Pods("team-a").Get(ctx, "web-0", metav1.GetOptions{}); err == nil {
		t.Error("pod still there")
	}
	if err := k.DeletePod(ctx, "team-a", "web-0", nil); err == nil {
		t.Error("deleting a missing pod succeeded")
	}
}

func TestIsolateValueIsALabelValue(t *testing.T) {
	long := "a-very-long-statefulset-name-that-goes-on-and-on-0123456789-abcdef"
	v := isolateValue(long)
	if len(v) > 63 || v == isolateValue(long+"x") {
		t.Errorf("isolateValue(%q) = %q", long, v)
	}
}

func TestRBACRules(t *testing.T) {
	got := RBACRules([]ActionKind{ActKill, ActWebhook})
	if len(got) != 0 {
		t.Errorf("kill+webhook need %v", got)
	}
	got = RBACRules([]ActionKind{ActTerminate, ActLabel, ActIsolate, ActCordon})
	want := []PolicyRule{
		{APIGroup: "", Resource: "nodes", Verbs: []string{"patch"}},
		{APIGroup: "", Resource: "pods", Verbs: []string{"delete", "patch"}},
		{APIGroup: "networking.k8s.io", Resource: "networkpolicies", Verbs: []string{"create"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("RBAC (-want +got):\n%s", d)
	}
}
