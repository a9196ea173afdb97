package response

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	networkingv1client "k8s.io/client-go/kubernetes/typed/networking/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Cluster is what the Kubernetes actions need of the API server.
type Cluster interface {
	DeletePod(ctx context.Context, namespace, name string, grace *time.Duration) error
	PatchPodMeta(ctx context.Context, namespace, name string, labels, annotations map[string]string) error
	Isolate(ctx context.Context, namespace, name, policy string) error
	Cordon(ctx context.Context, node string) error
}

// IsolateLabel is the pod label an isolating NetworkPolicy selects. Its
// value is derived from the pod's name, so one policy selects one pod.
const IsolateLabel = "probehub.io/isolated"

// Kube is a Cluster over the typed clients of client-go.
type Kube struct {
	Core       corev1client.CoreV1Interface
	Networking networkingv1client.NetworkingV1Interface
}

// NewKube connects with kubeconfig, or with the pod's service account when
// kubeconfig is empty (the DaemonSet).
func NewKube(kubeconfig string) (*Kube, error) {
	var cfg *rest.Config
	var err error
	if kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
	} else {
		cfg, err = rest.InClusterConfig()
	}
	if err != nil {
		return nil, fmt.Errorf("kubernetes client config: %w (responses with pod or node actions need the API: run in a pod with a service account, or pass --kubeconfig)", err)
	}
	cfg.Timeout = 10 * time.Second
	cfg.UserAgent = "probehub-sensor/response"
	core, err := corev1client.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes core client: %w", err)
	}
	netc, err := networkingv1client.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes networking client: %w", err)
	}
	return &Kube{Core: core, Networking: netc}, nil
}

// DeletePod deletes the pod with the grace period given (nil: the pod's own).
func (k *Kube) DeletePod(ctx context.Context, namespace, name string, grace *time.Duration) error {
	opts := metav1.DeleteOptions{}
	if grace != nil {
		s := int64(grace.Seconds())
		opts.GracePeriodSeconds = &s
	}
	if err := k.Core.Pods(namespace).Delete(ctx, name, opts); err != nil {
		return fmt.Errorf("delete pod %s/%s: %w", namespace, name, err)
	}
	return nil
}

// PatchPodMeta merges labels and annotations into the pod's metadata.
func (k *Kube) PatchPodMeta(ctx context.Context, namespace, name string, labels, annotations map[string]string) error {
	patch := map[string]any{"metadata": map[string]any{}}
	meta := patch["metadata"].(map[string]any)
	if len(labels) > 0 {
		meta["labels"] = labels
	}
	if len(annotations) > 0 {
		meta["annotations"] = annotations
	}
	b, err := json.Marshal(patch)
	if err != nil {
		return fmt.Errorf("encode patch: %w", err)
	}
	if _, err := k.Core.Pods(namespace).Patch(ctx, name, types.MergePatchType, b, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("patch pod %s/%s: %w", namespace, name, err)
	}
	return nil
}

// Isolate creates a NetworkPolicy that denies all ingress and egress of
// the pods labelled for this pod, then labels the pod: the policy exists
// before any pod is selected by it.
func (k *Kube) Isolate(ctx context.Context, namespace, name, policy string) error {
	np := IsolationPolicy(namespace, name, policy)
	_, err := k.Networking.NetworkPolicies(namespace).Create(ctx, np, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create network policy %s/%s: %w", namespace, np.Name, err)
	}
	return k.PatchPodMeta(ctx, namespace, name, map[string]string{IsolateLabel: isolateValue(name)}, nil)
}

// IsolationPolicy is the deny-all NetworkPolicy isolate creates for a pod.
func IsolationPolicy(namespace, pod, policy string) *networkingv1.NetworkPolicy {
	v := isolateValue(pod)
	return &networkingv1.NetworkPolicy{
		TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "probehub-isolate-" + v, Namespace: namespace,
			Labels:      map[string]string{"app.kubernetes.io/managed-by": "probehub"},
			Annotations: map[string]string{"probehub.io/pod": pod, "probehub.io/response-policy": policy},
		},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{IsolateLabel: v}},
			// No ingress or egress rules: all traffic both ways is denied.
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		},
	}
}

// isolateValue is a label value (≤ 63 characters) naming the pod: its
// name when short enough, else a prefix and a hash.
func isolateValue(pod string) string {
	if len(pod) <= 40 {
		return pod
	}
	h := sha256.Sum256([]byte(pod))
	return pod[:30] + "-" + hex.EncodeToString(h[:5])
}

// Cordon marks the node unschedulable, as kubectl cordon does.
func (k *Kube) Cordon(ctx context.Context, node string) error {
	patch := []byte(`{"spec":{"unschedulable":true}}`)
	if _, err := k.Core.Nodes().Patch(ctx, node, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("cordon node %s: %w", node, err)
	}
	return nil
}
