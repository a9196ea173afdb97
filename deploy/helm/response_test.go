package helm

import (
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/probehub/probehub/sensor/response"
)

// TestRenderResponses checks that the chart grants the sensor exactly what
// its response policies need, and that the rendered responses file loads
// with the sensor's own parser.
func TestRenderResponses(t *testing.T) {
	c := loadChart(t)
	for _, tc := range []struct {
		description, values string
		kinds               []response.ActionKind
		kill, api           bool
	}{
		{"off", "", nil, false, false},
		{"kill and webhook only", `
response:
  enabled: true
  policies:
    - name: kill-readers
      match: {rules: ["Read sensitive file untrusted"]}
      actions: [kill, {webhook: {url: "http://falcosidekick.probehub:2801/"}}]
`, []response.ActionKind{response.ActKill, response.ActWebhook}, true, false},
		{"every action", `
response:
  enabled: true
  denyNamespaces: [kube-system, monitoring]
  policies:
    - name: contain
      match: {namespaces: ["team-*"], min_priority: warning}
      actions:
        - isolate
        - {label: {labels: {probehub.io/quarantine: "true"}}}
        - {terminate: {grace_period: 0s}}
      dry_run: true
    - name: cordon-on-escape
      match: {rules: ["*escape*"]}
      actions: [cordon]
`, []response.ActionKind{response.ActIsolate, response.ActLabel, response.ActTerminate, response.ActCordon}, false, true},
	} {
		t.Run(tc.description, func(t *testing.T) {
			out, err := render(t, c, tc.values)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			objs := decode(t, out)
			var ds *appsv1.DaemonSet
			var cm *corev1.ConfigMap
			var role *rbacv1.ClusterRole
			var binding *rbacv1.ClusterRoleBinding
			for _, o := range objs {
				switch v := o.Value.(type) {
				case *appsv1.DaemonSet:
					if v.Name == "probehub-sensor" {
						ds = v
					}
				case *corev1.ConfigMap:
					if v.Name == "probehub-responses" {
						cm = v
					}
				case *rbacv1.ClusterRole:
					role = v
				case *rbacv1.ClusterRoleBinding:
					binding = v
				}
			}
			if ds == nil {
				t.Fatal("no sensor DaemonSet")
			}
			spec := ds.Spec.Template.Spec
			ctr := spec.Containers[0]
			wantCaps := slices.Clone(SensorCapabilities)
			if tc.kill {
				wantCaps = append(wantCaps, "KILL")
			}
			if got := ctr.SecurityContext.Capabilities.Add; !slices.Equal(got, wantCaps) {
				t.Errorf("capabilities %v, want %v", got, wantCaps)
			}
			if got := spec.AutomountServiceAccountToken != nil && *spec.AutomountServiceAccountToken; got != tc.api {
				t.Errorf("service-account token mounted: %v, want %v", got, tc.api)
			}
			hasArg := slices.Contains(ctr.Args, "--responses=/etc/probehub/responses/responses.yaml")
			if hasArg != (tc.kinds != nil) || (cm != nil) != (tc.kinds != nil) {
				t.Fatalf("--responses arg %v, ConfigMap %v; want both %v", hasArg, cm != nil, tc.kinds != nil)
			}
			if tc.kinds == nil {
				if role != nil || binding != nil {
					t.Error("RBAC rendered without responses")
				}
				return
			}
			f, err := response.Parse("responses.yaml", []byte(cm.Data["responses.yaml"]))
			if err != nil {
				t.Fatalf("rendered responses.yaml: %v\n%s", err, cm.Data["responses.yaml"])
			}
			if got := f.Kinds(); !sameKinds(got, tc.kinds) {
				t.Errorf("rendered kinds %v, want %v", got, tc.kinds)
			}
			want := response.RBACRules(tc.kinds)
			if !tc.api {
				if role != nil || binding != nil {
					t.Errorf("ClusterRole rendered for actions that need no API: %+v", role)
				}
				return
			}
			if role == nil || binding == nil {
				t.Fatal("no ClusterRole/ClusterRoleBinding for Kubernetes actions")
			}
			if got := fromRBAC(role.Rules); !slices.EqualFunc(got, want, ruleEqual) {
				t.Errorf("ClusterRole rules %+v, want (as `probehub-sensor response rbac` prints) %+v", got, want)
			}
			if s := binding.Subjects; len(s) != 1 || s[0].Name != "probehub-sensor" || binding.RoleRef.Name != role.Name {
				t.Errorf("binding %+v", binding)
			}
			env := map[string]bool{}
			for _, e := range ctr.Env {
				env[e.Name] = e.ValueFrom != nil && e.ValueFrom.FieldRef != nil
			}
			if !env["POD_NAMESPACE"] || !env["NODE_NAME"] {
				t.Errorf("env %v: want POD_NAMESPACE and NODE_NAME from the downward API", ctr.Env)
			}
		})
	}
}

func TestRenderResponsesRefusesNoPolicies(t *testing.T) {
	_, err := render(t, loadChart(t), "response: {enabled: true}")
	if err == nil || !strings.Contains(err.Error(), "needs response.policies") {
		t.Fatalf("got %v", err)
	}
}

func sameKinds(a, b []response.ActionKind) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func fromRBAC(rules []rbacv1.PolicyRule) []response.PolicyRule {
	var out []response.PolicyRule
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				v := slices.Clone(r.Verbs)
				slices.Sort(v)
				out = append(out, response.PolicyRule{APIGroup: g, Resource: res, Verbs: v})
			}
		}
	}
	slices.SortFunc(out, func(a, b response.PolicyRule) int {
		if c := strings.Compare(a.APIGroup, b.APIGroup); c != 0 {
			return c
		}
		return strings.Compare(a.Resource, b.Resource)
	})
	return out
}

func ruleEqual(a, b response.PolicyRule) bool {
	return a.APIGroup == b.APIGroup && a.Resource == b.Resource && slices.Equal(a.Verbs, b.Verbs)
}
