package k8saudit

import (
	"encoding/json"

	"github.com/probehub/probehub/internal/jsonptr"
)

// text is one JSON value rendered as the k8saudit plugin renders it: a
// string unquoted, anything else (numbers, bools, objects, null) as compact
// JSON. ok records that the key was present.
type text struct {
	s  string
	ok bool
}

func (t *text) UnmarshalJSON(b []byte) error {
	t.s, t.ok = jsonptr.Text(string(b)), true
	return nil
}

// texts is a JSON array rendered element by element; ok only when the value
// was an array (the plugin treats anything else as not available).
type texts struct {
	v  []string
	ok bool
}

func (t *texts) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '[' { // not an array: not available
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	t.v, t.ok = make([]string, len(raw)), true
	for i, r := range raw {
		t.v[i] = jsonptr.Text(string(r))
	}
	return nil
}

// wire is the part of an audit.k8s.io/v1 Event the fields read.
type wire struct {
	Kind             string `json:"kind"`
	AuditID          text   `json:"auditID"`
	Stage            text   `json:"stage"`
	RequestURI       text   `json:"requestURI"`
	Verb             text   `json:"verb"`
	User             user   `json:"user"`
	ImpersonatedUser user   `json:"impersonatedUser"`
	SourceIPs        texts  `json:"sourceIPs"`
	UserAgent        text   `json:"userAgent"`
	ObjectRef        struct {
		Resource    text `json:"resource"`
		Namespace   text `json:"namespace"`
		Name        text `json:"name"`
		Subresource text `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus struct {
		Code   text `json:"code"`
		Reason text `json:"reason"`
	} `json:"responseStatus"`
	RequestObject  *requestObject `json:"requestObject"`
	ResponseObject struct {
		Metadata struct {
			Name text `json:"name"`
		} `json:"metadata"`
	} `json:"responseObject"`
	Annotations struct {
		Decision text `json:"authorization.k8s.io/decision"`
		Reason   text `json:"authorization.k8s.io/reason"`
	} `json:"annotations"`
	RequestReceivedTimestamp string `json:"requestReceivedTimestamp"`
	StageTimestamp           string `json:"stageTimestamp"`
	ClusterName              text   `json:"cluster_name"`
}

type user struct {
	Username text  `json:"username"`
	Groups   texts `json:"groups"`
}

// requestObject unions the request bodies the fields look into: pods,
// services, (cluster)roles, (cluster)rolebindings, configmaps, and the legacy
// EphemeralContainers kind.
type requestObject struct {
	Spec     *spec             `json:"spec"`
	Rules    []json.RawMessage `json:"rules"`
	Subjects texts             `json:"subjects"`
	RoleRef  struct {
		Name text `json:"name"`
	} `json:"roleRef"`
	Data                text        `json:"data"`
	EphemeralContainers []container `json:"ephemeralContainers"`
}

type spec struct {
	Containers          []container       `json:"containers"`
	InitContainers      []container       `json:"initContainers"`
	EphemeralContainers []container       `json:"ephemeralContainers"`
	HostIPC             text              `json:"hostIPC"`
	HostNetwork         text              `json:"hostNetwork"`
	HostPID             text              `json:"hostPID"`
	SecurityContext     podSecurity       `json:"securityContext"`
	Volumes             []json.RawMessage `json:"volumes"`
	Type                text              `json:"type"`
	Ports               texts             `json:"ports"`
}

type podSecurity struct {
	RunAsUser          text  `json:"runAsUser"`
	RunAsGroup         text  `json:"runAsGroup"`
	FSGroup            text  `json:"fsGroup"`
	SupplementalGroups texts `json:"supplementalGroups"`
}

type container struct {
	Image text `json:"image"`
	Ports []struct {
		HostPort      text `json:"hostPort"`
		ContainerPort text `json:"containerPort"`
	} `json:"ports"`
	SecurityContext struct {
		Privileged               text `json:"privileged"`
		AllowPrivilegeEscalation text `json:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   text `json:"readOnlyRootFilesystem"`
		RunAsUser                text `json:"runAsUser"`
		RunAsGroup               text `json:"runAsGroup"`
		ProcMount                text `json:"procMount"`
		Capabilities             struct {
			Add texts `json:"add"`
		} `json:"capabilities"`
	} `json:"securityContext"`
}

type roleRule struct {
	Verbs           texts `json:"verbs"`
	Resources       texts `json:"resources"`
	APIGroups       texts `json:"apiGroups"`
	NonResourceURLs texts `json:"nonResourceURLs"`
}

type volume struct {
	HostPath struct {
		Path text `json:"path"`
	} `json:"hostPath"`
	FlexVolume struct {
		Driver text `json:"driver"`
	} `json:"flexVolume"`
}
