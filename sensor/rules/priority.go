package rules

import (
	"fmt"
	"strings"
)

// Priority is a rule's severity; lower is more severe, as in Falco.
type Priority int

// Priorities, from most to least severe.
const (
	PriorityEmergency Priority = iota
	PriorityAlert
	PriorityCritical
	PriorityError
	PriorityWarning
	PriorityNotice
	PriorityInformational
	PriorityDebug
)

var priorityNames = [...]string{"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"}

// String returns the name as Falco prints it in alerts ("Informational").
func (p Priority) String() string {
	if p >= 0 && int(p) < len(priorityNames) {
		return priorityNames[p]
	}
	return fmt.Sprintf("Priority(%d)", int(p))
}

// ParsePriority reads a priority name, case-insensitively; "info" is
// accepted for Informational.
func ParsePriority(s string) (Priority, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	if l == "info" {
		return PriorityInformational, nil
	}
	for i, n := range priorityNames {
		if strings.ToLower(n) == l {
			return Priority(i), nil
		}
	}
	return 0, fmt.Errorf("invalid priority %q (want emergency, alert, critical, error, warning, notice, informational or debug)", s)
}
