package response

import (
	"path"
	"slices"
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// Alert is what a policy matches and acts on: the alert and its target.
type Alert struct {
	Time     time.Time
	Rule     string
	Priority rules.Priority
	Tags     []string
	Source   string
	// Namespace and Pod name the alert's pod; empty for host processes and
	// for sources without one.
	Namespace, Pod string
	// Node is the node the sensor runs on (cordon's target).
	Node string
	// Process is the alert's process, for kill: its PID, and when it
	// started, which identifies it against a reused PID.
	PID   uint32
	Start time.Time
	Comm  string
	// JSON is the Falco JSON alert (what webhooks receive).
	JSON []byte
}

// FromRuleAlert builds an Alert from the engine's alert and, for syscall
// alerts, the event it fired on.
func FromRuleAlert(al rules.Alert, ev *event.Event, namespace string, alertJSON []byte) Alert {
	a := Alert{Time: al.Time, Rule: al.Rule.Name, Priority: al.Rule.Priority, Tags: al.Rule.Tags,
		Source: al.Rule.Source, Namespace: namespace, Node: al.Hostname, JSON: alertJSON}
	if ev != nil {
		a.PID, a.Start, a.Comm = ev.Proc.PID, ev.Proc.Start, ev.Proc.Comm
		if ev.Container != nil {
			a.Pod = ev.Container.PodName
		}
	}
	return a
}

// matches reports whether the policy selects a.
func (m *Match) matches(a *Alert) bool {
	if len(m.Rules) > 0 && !matchAny(m.Rules, a.Rule) {
		return false
	}
	if m.MinPriority != nil && a.Priority > *m.MinPriority { // lower is more severe
		return false
	}
	if len(m.Tags) > 0 && !slices.ContainsFunc(m.Tags, func(t string) bool { return slices.Contains(a.Tags, t) }) {
		return false
	}
	if len(m.Sources) > 0 && !slices.Contains(m.Sources, a.Source) {
		return false
	}
	if len(m.Namespaces) > 0 && !matchAny(m.Namespaces, a.Namespace) {
		return false
	}
	return true
}

func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, s); ok {
			return true
		}
	}
	return false
}
