package response

import (
	"slices"
	"strings"
)

// PolicyRule is one RBAC rule: verbs on one resource of one API group.
type PolicyRule struct {
	APIGroup string
	Resource string
	Verbs    []string
}

// RBACRules returns the least RBAC rules the actions need, merged per
// resource, in a stable order. kill and webhook need none.
func RBACRules(kinds []ActionKind) []PolicyRule {
	need := map[[2]string][]string{}
	add := func(group, res string, verbs ...string) {
		k := [2]string{group, res}
		for _, v := range verbs {
			if !slices.Contains(need[k], v) {
				need[k] = append(need[k], v)
			}
		}
	}
	for _, k := range kinds {
		switch k {
		case ActTerminate:
			add("", "pods", "delete")
		case ActLabel, ActAnnotate:
			add("", "pods", "patch")
		case ActIsolate:
			add("", "pods", "patch")
			add("networking.k8s.io", "networkpolicies", "create")
		case ActCordon:
			add("", "nodes", "patch")
		}
	}
	out := make([]PolicyRule, 0, len(need))
	for k, v := range need {
		slices.Sort(v)
		out = append(out, PolicyRule{APIGroup: k[0], Resource: k[1], Verbs: v})
	}
	slices.SortFunc(out, func(a, b PolicyRule) int {
		if c := strings.Compare(a.APIGroup, b.APIGroup); c != 0 {
			return c
		}
		return strings.Compare(a.Resource, b.Resource)
	})
	return out
}
