package k8saudit

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"time"
)

const (
	privPod   = "pod_create_privileged"
	hostPod   = "pod_create_hostpath"
	crole     = "clusterrole_create_wildcard"
	crb       = "clusterrolebinding_create_admin"
	forbidden = "secret_get_forbidden"
	rbacAllow = `RBAC: allowed by ClusterRoleBinding "dev-admin" of ClusterRole "cluster-admin" to Group "developers"`
	eventNS   = int64(1718097674541802000) // stageTimestamp 2024-06-11T09:21:14.541802Z
)

var eventTimeLocal = time.Unix(0, eventNS).Local().Format("15:04:05.000000000")

var fieldCases = []fieldCase{
	{"auditid", privPod, "ka.auditid", "", "2e5b7d3a-8f41-4c55-9a0e-4f8f3b2a1c01"},
	{"stage complete", privPod, "ka.stage", "", "ResponseComplete"},
	{"stage started on exec", "pod_exec", "ka.stage", "", "ResponseStarted"},
	{"decision", privPod, "ka.auth.decision", "", "allow"},
	{"decision forbid", forbidden, "ka.auth.decision", "", "forbid"},
	{"reason", privPod, "ka.auth.reason", "", rbacAllow},
	{"reason empty but present", "node_create", "ka.auth.reason", "", ""},
	{"user", privPod, "ka.user.name", "", "alice@example.com"},
	{"anonymous user", "anonymous_request", "ka.user.name", "", "system:anonymous"},
	{"groups", privPod, "ka.user.groups", "", []string{"developers", "system:authenticated"}},
	{"anonymous groups", "anonymous_request", "ka.user.groups", "", []string{"system:unauthenticated"}},
	{"impersonated user", forbidden, "ka.impuser.name", "", "system:serviceaccount:payments:api"},
	{"no impersonation", privPod, "ka.impuser.name", "", nil},
	{"verb", privPod, "ka.verb", "", "create"},
	{"verb list", "anonymous_request", "ka.verb", "", "list"},
	{"uri", privPod, "ka.uri", "", "/api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict"},
	{"uri param", privPod, "ka.uri.param", "fieldManager", "kubectl-create"},
	{"exec command: first value", "pod_exec", "ka.uri.param", "command", "/bin/sh"},
	{"uri param absent", "pod_exec", "ka.uri.param", "nope", nil},
	{"target name", privPod, "ka.target.name", "", "nginx-priv"},
	{"target namespace", privPod, "ka.target.namespace", "", "default"},
	{"cluster-scoped: no namespace", crole, "ka.target.namespace", "", nil},
	{"target resource", privPod, "ka.target.resource", "", "pods"},
	{"no subresource", privPod, "ka.target.subresource", "", nil},
	{"exec subresource", "pod_exec", "ka.target.subresource", "", "exec"},
	{"attach subresource", "pod_attach", "ka.target.subresource", "", "attach"},
	{"binding subjects as JSON", crb, "ka.req.binding.subjects", "", []string{
		`{"kind":"ServiceAccount","name":"ci-runner","namespace":"ci"}`,
		`{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"eve@example.com"}`}},
	{"binding role", crb, "ka.req.binding.role", "", "cluster-admin"},
	{"rolebinding role", "rolebinding_create", "ka.req.binding.role", "", "debugger"},
	{"has_name is always true", crb, "ka.req.binding.subject.has_name", "eve@example.com", "true"},
	{"configmap name", "configmap_create_credentials", "ka.req.configmap.name", "", "backup-config"},
	{"configmap obj", "configmap_create_credentials", "ka.req.configmap.obj", "",
		`{"bucket":"s3://acme-backups","aws_access_key_id":"AKIAIOSFODNN7EXAMPLE","aws_secret_access_key":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}`},
	{"no configmap data", privPod, "ka.req.configmap.obj", "", nil},
	{"images", privPod, "ka.req.pod.containers.image", "", []string{"nginx:1.27.0",
		"docker.io/library/busybox:1.36@sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7"}},
	{"image[1]", privPod, "ka.req.pod.containers.image", "1", []string{
		"docker.io/library/busybox:1.36@sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7"}},
	{"image[5] out of range", privPod, "ka.req.pod.containers.image", "5", nil},
	{"exec has no images", "pod_exec", "ka.req.pod.containers.image", "", nil},
	{"first image", privPod, "ka.req.container.image", "", "nginx:1.27.0"},
	{"repositories", privPod, "ka.req.pod.containers.image.repository", "", []string{"nginx", "docker.io/library/busybox"}},
	{"first repository", privPod, "ka.req.container.image.repository", "", "nginx"},
	{"init images", privPod, "ka.req.pod.initContainers.image", "", []string{"alpine:3.20"}},
	{"init repositories", privPod, "ka.req.pod.initContainers.image.repository", "", []string{"alpine"}},
	{"legacy ephemeral images", "pod_ephemeralcontainers", "ka.req.pod.ephemeralContainers.image", "", []string{"busybox:1.36"}},
	{"ephemeral repositories", "pod_ephemeralcontainers", "ka.req.pod.ephemeralContainers.image.repository", "", []string{"busybox"}},
	{"no ephemeral containers", privPod, "ka.req.pod.ephemeralContainers.image", "", nil},
	{"host ipc", hostPod, "ka.req.pod.host_ipc", "", "true"},
	{"host network", hostPod, "ka.req.pod.host_network", "", "true"},
	{"host network unset", privPod, "ka.req.pod.host_network", "", nil},
	{"host network (deprecated)", hostPod, "ka.req.container.host_network", "", "true"},
	{"host pid", hostPod, "ka.req.pod.host_pid", "", "true"},
	{"host ports", privPod, "ka.req.pod.containers.host_port", "", []string{"80"}},
	{"privileged: only containers that set it", privPod, "ka.req.pod.containers.privileged", "", []string{"true"}},
	{"privileged[1] unset", privPod, "ka.req.pod.containers.privileged", "1", nil},
	{"privileged unset everywhere", hostPod, "ka.req.pod.containers.privileged", "", nil},
	{"init privileged", privPod, "ka.req.pod.initContainers.privileged", "", []string{"false"}},
	{"ephemeral privileged unset", "pod_ephemeralcontainers", "ka.req.pod.ephemeralContainers.privileged", "", nil},
	{"any privileged", privPod, "ka.req.container.privileged", "", "true"},
	{"none privileged", hostPod, "ka.req.container.privileged", "", "false"},
	{"allowPrivilegeEscalation", privPod, "ka.req.pod.containers.allow_privilege_escalation", "", []string{"false"}},
	{"readOnlyRootFilesystem", privPod, "ka.req.pod.containers.read_only_fs", "", []string{"true"}},
	{"pod runAsUser", privPod, "ka.req.pod.run_as_user", "", "2000"},
	{"containers runAsUser", privPod, "ka.req.pod.containers.run_as_user", "", []string{"1000"}},
	{"effective runAsUser", privPod, "ka.req.pod.containers.eff_run_as_user", "", []string{"2000", "1000"}},
	{"effective runAsUser default 0", hostPod, "ka.req.pod.containers.eff_run_as_user", "", []string{"0"}},
	{"pod runAsGroup", privPod, "ka.req.pod.run_as_group", "", "3000"},
	{"containers runAsGroup unset", privPod, "ka.req.pod.containers.run_as_group", "", nil},
	{"effective runAsGroup", privPod, "ka.req.pod.containers.eff_run_as_group", "", []string{"3000", "3000"}},
	{"procMount unset", privPod, "ka.req.pod.containers.proc_mount", "", nil},
	{"role rules as JSON", crole, "ka.req.role.rules", "", []string{
		`{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}`,
		`{"verbs":["get","list"],"nonResourceURLs":["/metrics","/healthz"]}`}},
	{"rules apiGroups", crole, "ka.req.role.rules.apiGroups", "", []string{"*"}},
	{"rules nonResourceURLs", crole, "ka.req.role.rules.nonResourceURLs", "", []string{"/metrics", "/healthz"}},
	{"rules verbs", crole, "ka.req.role.rules.verbs", "", []string{"*", "get", "list"}},
	{"rules verbs[1]", crole, "ka.req.role.rules.verbs", "1", []string{"get", "list"}},
	{"rules resources", "role_create_exec", "ka.req.role.rules.resources", "", []string{"pods", "pods/exec"}},
	{"fsGroup", privPod, "ka.req.pod.fs_group", "", "4000"},
	{"supplementalGroups", privPod, "ka.req.pod.supplemental_groups", "", []string{"5000", "5001"}},
	{"add capabilities", privPod, "ka.req.pod.containers.add_capabilities", "", []string{"NET_ADMIN", "SYS_TIME"}},
	{"add capabilities[0] none", privPod, "ka.req.pod.containers.add_capabilities", "0", nil},
	{"service type", "service_create_nodeport", "ka.req.service.type", "", "NodePort"},
	{"service ports as JSON", "service_create_nodeport", "ka.req.service.ports", "", []string{
		`{"name":"http","protocol":"TCP","port":3000,"targetPort":3000,"nodePort":30300}`}},
	{"hostPath volumes", hostPod, "ka.req.pod.volumes.hostpath", "", []string{"/", "/var/run/docker.sock"}},
	{"hostPath volume[1]", hostPod, "ka.req.pod.volumes.hostpath", "1", []string{"/var/run/docker.sock"}},
	{"hostPath volume[2] is a configMap", hostPod, "ka.req.pod.volumes.hostpath", "2", nil},
	{"volume hostpath exact", hostPod, "ka.req.volume.hostpath", "/var/run/docker.sock", "true"},
	{"volume hostpath prefix", hostPod, "ka.req.volume.hostpath", "/var/run*", "true"},
	{"volume hostpath absent", hostPod, "ka.req.volume.hostpath", "/etc", "false"},
	{"flexVolume drivers", hostPod, "ka.req.pod.volumes.flexvolume_driver", "", []string{"example.com/lvm"}},
	{"volume types", hostPod, "ka.req.pod.volumes.volume_type", "", []string{"hostPath", "hostPath", "configMap", "flexVolume"}},
	{"response name", privPod, "ka.resp.name", "", "nginx-priv"},
	{"response code", privPod, "ka.response.code", "", "201"},
	{"response code 403", forbidden, "ka.response.code", "", "403"},
	{"response reason", forbidden, "ka.response.reason", "", "Forbidden"},
	{"no response reason", privPod, "ka.response.reason", "", nil},
	{"user agent", "anonymous_request", "ka.useragent", "", "curl/8.5.0"},
	{"source ips", "anonymous_request", "ka.sourceips", "", []string{"203.0.113.54"}},
	{"source ip[0]", "anonymous_request", "ka.sourceips", "0", []string{"203.0.113.54"}},
	{"cluster name from Source", privPod, "ka.cluster.name", "", "prod-eu-1"},
	{"jevt.value string", privPod, "jevt.value", "/stage", "ResponseComplete"},
	{"jevt.value object", privPod, "jevt.value", "/requestObject/spec/containers/0/securityContext", `{"privileged":true}`},
	{"jevt.value array element", "pod_ephemeralcontainers", "jevt.value", "/requestObject/ephemeralContainers/0/name", "debugger-xk2p9"},
	{"jevt.value missing tls", "ingress_create", "jevt.value", "/requestObject/spec/tls", nil},
	{"json.value", "anonymous_request", "json.value", "/user/username", "system:anonymous"},
	{"jevt.rawtime", privPod, "jevt.rawtime", "", eventNS},
	{"json.rawtime", privPod, "json.rawtime", "", eventNS},
	{"evt.rawtime", privPod, "evt.rawtime", "", eventNS},
	{"jevt.time", privPod, "jevt.time", "", eventTimeLocal},
	{"evt.time", privPod, "evt.time", "", eventTimeLocal},
	{"jevt.time.iso8601", privPod, "jevt.time.iso8601", "", "2024-06-11T09:21:14.541802000Z"},
	{"evt.time.iso8601", privPod, "evt.time.iso8601", "", "2024-06-11T09:21:14.541802000Z"},
	{"evt.num", privPod, "evt.num", "", int64(1)},
	{"evt.source", privPod, "evt.source", "", "k8s_audit"},
	{"jevt.obj", "pod_exec", "jevt.obj", "", indentedExec},
	{"json.obj", "pod_exec", "json.obj", "", indentedExec},
	{"evt.pluginname", privPod, "evt.pluginname", "", "k8saudit"},
	{"evt.plugininfo is the event compact", "pod_exec", "evt.plugininfo", "", compactExec},
}

// compactExec is pod_exec.json as evt.plugininfo renders it: the k8saudit
// plugin's text of an event is its JSON without blanks.
var compactExec = func() string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(indentedExec)); err != nil {
		panic(err)
	}
	return b.String()
}()

// indentedExec is pod_exec.json as json.obj renders it: indented by two
// spaces (the file is written that way).
var indentedExec = func() string {
	b, err := os.ReadFile("testdata/events/pod_exec.json")
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(b))
}()
