package k8saudit

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/probehub/probehub/sensor/rules"
)

// SourceName is the rule `source:` value of this source.
const SourceName = "k8s_audit"

// ErrUnknownField is wrapped by Bind's error for a field this source lacks.
var ErrUnknownField = errors.New("unknown field")

// Source is the k8s_audit event source: ka.*, json.*/jevt.* and evt.* fields
// over *Event, and a Decoder for audit JSON. The zero value is ready to use.
type Source struct {
	// ClusterName is ka.cluster.name for events that carry no cluster_name
	// field of their own. The default is "" (ka.cluster.name missing).
	ClusterName string

	num atomic.Uint64
}

var (
	_ rules.Source  = (*Source)(nil)
	_ rules.Decoder = (*Source)(nil)
	_ rules.Timer   = (*Source)(nil)
)

var table = sync.OnceValue(func() *rules.FieldTable {
	fs := catalog()
	defs := make([]rules.FieldDef, len(fs))
	for i, f := range fs {
		defs[i] = rules.FieldDef{Info: f.info, Bind: f.bind}
	}
	return rules.NewFieldTable(SourceName, ErrUnknownField, defs)
})

// Name returns "k8s_audit".
func (s *Source) Name() string { return SourceName }

// Fields lists every field of the source. The caller must not modify it.
func (s *Source) Fields() []rules.FieldInfo { return table().Fields() }

// Bind returns the accessor of field[arg]. Accessors take a *Event; given
// anything else they report the field missing. The error names the field and
// wraps ErrUnknownField when the source does not have it.
func (s *Source) Bind(name, arg string) (rules.Accessor, rules.Kind, error) {
	return table().Bind(name, arg)
}

// Time returns the time of ev, a *Event (the zero time for anything else).
// It makes Source a rules.Timer: alerts carry the audit event's time.
func (s *Source) Time(ev any) time.Time {
	if e, ok := ev.(*Event); ok {
		return e.time
	}
	return time.Time{}
}

// Plugins returns the plugins the source stands in for: k8saudit and its
// managed-cluster variants (their events are decoded into the same
// audit.k8s.io/v1 form and offer the same ka.* fields), and json
// (json.*/jevt.*). The versions are those whose fields the catalog
// implements.
func (s *Source) Plugins() []rules.PluginVersion {
	return []rules.PluginVersion{
		{Name: "k8saudit", Version: "0.18.0"},
		{Name: "k8saudit-eks", Version: "0.12.0"},
		{Name: "k8saudit-gke", Version: "0.9.0"},
		{Name: "k8saudit-aks", Version: "0.6.0"},
		{Name: "k8saudit-ovh", Version: "0.6.0"},
		{Name: "json", Version: "0.7.0"},
	}
}
