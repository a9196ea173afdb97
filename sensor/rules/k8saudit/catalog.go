package k8saudit

import (
	"strings"

	"github.com/probehub/probehub/sensor/rules"
)

// Zero values returned for events without a request object or spec, so that
// accessors never allocate.
var (
	noRequest requestObject
	noSpec    spec
)

// catalog lists every ka.* field of Falco's k8saudit plugin (semantics from
// its README and extractor), in the plugin's order, then the json.*/jevt.*
// and evt.* fields.
func catalog() []field {
	const idx = rules.ArgOptional
	req := func(e *Event) *requestObject {
		if e.w.RequestObject == nil {
			return &noRequest
		}
		return e.w.RequestObject
	}
	sp := func(e *Event) *spec {
		if r := req(e); r.Spec != nil {
			return r.Spec
		}
		return &noSpec
	}
	fs := []field{
		scalar("ka.auditid", "The unique id of the audit event", func(e *Event) text { return e.w.AuditID }),
		scalar("ka.stage", "Stage of the request (e.g. RequestReceived, ResponseComplete, etc.)", func(e *Event) text { return e.w.Stage }),
		scalar("ka.auth.decision", "The authorization decision", func(e *Event) text { return e.w.Annotations.Decision }),
		scalar("ka.auth.reason", "The authorization reason", func(e *Event) text { return e.w.Annotations.Reason }),
		scalar("ka.user.name", "The user name performing the request", func(e *Event) text { return e.w.User.Username }),
		multi("ka.user.groups", "The groups to which the user belongs", lGroups, rules.ArgNone),
		scalar("ka.impuser.name", "The impersonated user name", func(e *Event) text { return e.w.ImpersonatedUser.Username }),
		scalar("ka.verb", "The action being performed", func(e *Event) text { return e.w.Verb }),
		scalar("ka.uri", "The request URI as sent from client to server", func(e *Event) text { return e.w.RequestURI }),
		computed("ka.uri.param", "The value of a given query parameter in the uri (ka.uri.param[key])", rules.ArgRequired, uriParam),
		scalar("ka.target.name", "The target object name", func(e *Event) text { return e.w.ObjectRef.Name }),
		scalar("ka.target.namespace", "The target object namespace", func(e *Event) text { return e.w.ObjectRef.Namespace }),
		scalar("ka.target.resource", "The target object resource", func(e *Event) text { return e.w.ObjectRef.Resource }),
		scalar("ka.target.subresource", "The target object subresource", func(e *Event) text { return e.w.ObjectRef.Subresource }),
		multi("ka.req.binding.subjects", "When the request object refers to a (cluster) role binding, its subjects (each as JSON)", lSubjects, rules.ArgNone),
		scalar("ka.req.binding.role", "When the request object refers to a (cluster) role binding, the role being linked", func(e *Event) text { return req(e).RoleRef.Name }),
		computed("ka.req.binding.subject.has_name", "Deprecated, always true (kept for backwards compatibility)", rules.ArgRequired, hasName),
		scalar("ka.req.configmap.name", "If the request object refers to a configmap, the configmap name", func(e *Event) text { return e.w.ObjectRef.Name }),
		scalar("ka.req.configmap.obj", "If the request object refers to a configmap, its data as JSON", func(e *Event) text { return req(e).Data }),
		multi("ka.req.pod.containers.image", "When the request object refers to a pod, the containers' images", lImages, idx),
		computed("ka.req.container.image", "Deprecated by ka.req.pod.containers.image: the image of the first container", rules.ArgNone, first(lImages)),
		multi("ka.req.pod.containers.image.repository", "The containers' images without tag or digest", lRepos, idx),
		computed("ka.req.container.image.repository", "Deprecated: the repository of the first container", rules.ArgNone, first(lRepos)),
		multi("ka.req.pod.initContainers.image", "When the request object refers to a pod, the init containers' images", lInitImages, idx),
		multi("ka.req.pod.initContainers.image.repository", "The init containers' images without tag or digest", lInitRepos, idx),
		multi("ka.req.pod.ephemeralContainers.image", "The ephemeral containers' images", lEphemeralImages, idx),
		multi("ka.req.pod.ephemeralContainers.image.repository", "The ephemeral containers' images without tag or digest", lEphemeralRepos, idx),
		scalar("ka.req.pod.host_ipc", "When the request object refers to a pod, the value of the hostIPC flag", func(e *Event) text { return sp(e).HostIPC }),
		scalar("ka.req.pod.host_network", "When the request object refers to a pod, the value of the hostNetwork flag", func(e *Event) text { return sp(e).HostNetwork }),
		scalar("ka.req.container.host_network", "Deprecated alias for ka.req.pod.host_network", func(e *Event) text { return sp(e).HostNetwork }),
		scalar("ka.req.pod.host_pid", "When the request object refers to a pod, the value of the hostPID flag", func(e *Event) text { return sp(e).HostPID }),
		multi("ka.req.pod.containers.host_port", "When the request object refers to a pod, all containers' hostPort values", lHostPorts, idx),
		multi("ka.req.pod.containers.privileged", "The privileged flag of every container that sets it", lPrivileged, idx),
		multi("ka.req.pod.initContainers.privileged", "The privileged flag of every init container that sets it", lInitPrivileged, idx),
		multi("ka.req.pod.ephemeralContainers.privileged", "The privileged flag of every ephemeral container that sets it", lEphemeralPrivileged, idx),
		computed("ka.req.container.privileged", "Deprecated: true if any container has privileged=true", rules.ArgNone, anyPrivileged),
		multi("ka.req.pod.containers.allow_privilege_escalation", "The allowPrivilegeEscalation flag of the containers", lAllowPrivilegeEscalation, idx),
		multi("ka.req.pod.containers.read_only_fs", "The readOnlyRootFilesystem flag of the containers", lReadOnlyFS, idx),
		scalar("ka.req.pod.run_as_user", "The runAsUser of the pod's security context", func(e *Event) text { return sp(e).SecurityContext.RunAsUser }),
		multi("ka.req.pod.containers.run_as_user", "The runAsUser of the containers", lRunAsUser, idx),
		multi("ka.req.pod.containers.eff_run_as_user", "The initial uid of every container (container, else pod security context, else 0)", lEffRunAsUser, idx),
		scalar("ka.req.pod.run_as_group", "The runAsGroup of the pod's security context", func(e *Event) text { return sp(e).SecurityContext.RunAsGroup }),
		multi("ka.req.pod.containers.run_as_group", "The runAsGroup of the containers", lRunAsGroup, idx),
		multi("ka.req.pod.containers.eff_run_as_group", "The initial gid of every container (container, else pod security context, else 0)", lEffRunAsGroup, idx),
		multi("ka.req.pod.containers.proc_mount", "The procMount types of the containers", lProcMount, idx),
		multi("ka.req.role.rules", "When the request object refers to a (cluster) role, its rules (each as JSON)", lRules, rules.ArgNone),
		multi("ka.req.role.rules.apiGroups", "The api groups of the role's rules", lRuleAPIGroups, idx),
		multi("ka.req.role.rules.nonResourceURLs", "The non resource urls of the role's rules", lRuleNonResourceURLs, idx),
		multi("ka.req.role.rules.verbs", "The verbs of the role's rules", lRuleVerbs, idx),
		multi("ka.req.role.rules.resources", "The resources of the role's rules", lRuleResources, idx),
		scalar("ka.req.pod.fs_group", "The fsGroup of the pod's security context", func(e *Event) text { return sp(e).SecurityContext.FSGroup }),
		multi("ka.req.pod.supplemental_groups", "The supplementalGroups of the pod's security context", lSupplementalGroups, rules.ArgNone),
		multi("ka.req.pod.containers.add_capabilities", "All capabilities added to the containers", lAddCapabilities, idx),
		scalar("ka.req.service.type", "When the request object refers to a service, the service type", func(e *Event) text { return sp(e).Type }),
		multi("ka.req.service.ports", "When the request object refers to a service, its ports (each as JSON)", lServicePorts, idx),
		multi("ka.req.pod.volumes.hostpath", "All hostPath paths of the pod's volumes", lHostPaths, idx),
		computed("ka.req.volume.hostpath", "Deprecated: \"true\" if a volume uses the host path (a trailing * matches a prefix), else \"false\"", rules.ArgRequired, volumeHostPath),
		multi("ka.req.pod.volumes.flexvolume_driver", "All flexVolume drivers of the pod's volumes", lFlexVolumeDrivers, idx),
		multi("ka.req.pod.volumes.volume_type", "The type of every volume (hostPath, configMap…)", lVolumeTypes, idx),
		scalar("ka.resp.name", "The response object name", func(e *Event) text { return e.w.ResponseObject.Metadata.Name }),
		scalar("ka.response.code", "The response code", func(e *Event) text { return e.w.ResponseStatus.Code }),
		scalar("ka.response.reason", "The response reason (usually present only for failures)", func(e *Event) text { return e.w.ResponseStatus.Reason }),
		scalar("ka.useragent", "The useragent of the client who made the request to the apiserver", func(e *Event) text { return e.w.UserAgent }),
		multi("ka.sourceips", "The IP addresses of the client who made the request to the apiserver", lSourceIPs, idx),
		computed("ka.cluster.name", "The cluster the event came from (the event's cluster_name custom field, else Source.ClusterName)", rules.ArgNone, clusterName),
	}
	return append(fs, commonFields()...)
}

func uriParam(arg string) (rules.Accessor, error) {
	if arg == "" {
		return nil, errNeedArg
	}
	return strAcc(func(e *Event) (string, bool) {
		v, ok := e.query[arg]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}), nil
}

func hasName(arg string) (rules.Accessor, error) {
	if arg == "" {
		return nil, errNeedArg
	}
	return strAcc(func(*Event) (string, bool) { return "true", true }), nil
}

func first(idx int) func(string) (rules.Accessor, error) {
	return func(string) (rules.Accessor, error) {
		return strAcc(func(e *Event) (string, bool) {
			l := &e.lists[idx]
			if !l.ok || len(l.vals) == 0 {
				return "", false
			}
			return l.vals[0], true
		}), nil
	}
}

func anyPrivileged(string) (rules.Accessor, error) {
	return strAcc(func(e *Event) (string, bool) {
		l := &e.lists[lPrivileged]
		if !l.ok {
			return "", false
		}
		for _, v := range l.vals {
			if v == "true" {
				return "true", true
			}
		}
		return "false", true
	}), nil
}

func volumeHostPath(arg string) (rules.Accessor, error) {
	if arg == "" {
		return nil, errNeedArg
	}
	prefix, isPrefix := strings.CutSuffix(arg, "*")
	return strAcc(func(e *Event) (string, bool) {
		l := &e.lists[lHostPaths]
		if !l.ok {
			return "", false
		}
		for _, v := range l.vals {
			if v == arg || isPrefix && strings.HasPrefix(v, prefix) {
				return "true", true
			}
		}
		return "false", true
	}), nil
}

func clusterName(string) (rules.Accessor, error) {
	return strAcc(func(e *Event) (string, bool) { return e.cluster, e.cluster != "" }), nil
}
