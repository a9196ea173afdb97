// Package k8saudit is the k8s_audit event source of the rule engine: Falco's
// k8saudit plugin fields (ka.*) and the json plugin's fields (json.*, with
// their jevt.* aliases) over Kubernetes audit.k8s.io/v1 Events.
//
// Events are decoded once (Source.Decode or Parse) into an immutable *Event
// holding every value the fields read, so that accessors do not allocate.
// Field values follow the plugin: strings as they are, other JSON values as
// compact JSON text ("true", "201", `{"name":"x"}`); a field whose JSON key is
// absent is missing; a list field with no values is missing.
//
// Known, deliberate differences from the plugin: ka.req.pod.containers.
// eff_run_as_user/eff_run_as_group read the pod's securityContext (the plugin
// reads a path that never exists and always falls back to 0); ka.sourceips
// reads /sourceIPs; ka.cluster.name is the event's cluster_name key (added by
// a proxy, as the plugin's custom header fields do) or Source.ClusterName.
// Field names in event JSON are matched case-insensitively (encoding/json).
package k8saudit
