{{/* The namespace every object goes to. */}}
{{- define "probehub.namespace" -}}
{{- default .Release.Namespace .Values.namespace.name -}}
{{- end -}}

{{/* Common labels; component is passed as .component. */}}
{{- define "probehub.labels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/part-of: probehub
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{- define "probehub.selector" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* image ref: repository:tag@digest when the digest is set (the kubelet
pulls by digest; the tag says which release it is), else repository:tag. */}}
{{- define "probehub.image" -}}
{{- $img := index .root.Values.image .which -}}
{{- $repo := printf "%s/%s" .root.Values.image.registry $img.repository -}}
{{- $tag := default .root.Chart.AppVersion $img.tag -}}
{{- if eq $tag "latest" -}}
{{- fail (printf "image.%s.tag latest: pin a release tag and its digest (make pin-images)" .which) -}}
{{- end -}}
{{- if $img.digest -}}
{{- if not (regexMatch "^sha256:[0-9a-f]{64}$" $img.digest) -}}
{{- fail (printf "image.%s.digest %q: want sha256:<64 hex> (probehub image build prints it)" .which $img.digest) -}}
{{- end -}}
{{ $repo }}:{{ $tag }}@{{ $img.digest }}
{{- else -}}
{{ $repo }}:{{ $tag }}
{{- end -}}
{{- end -}}

{{/* The restricted Pod Security container context (audit, API, build farm). */}}
{{- define "probehub.restrictedContainer" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
capabilities: {drop: [ALL]}
seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{/* Name of the Secret holding a token: existingSecret, else the chart's. */}}
{{- define "probehub.tokenSecret" -}}
{{- if .cfg.existingSecret -}}{{ .cfg.existingSecret }}{{- else -}}{{ .name }}{{- end -}}
{{- end -}}

{{/* The compatibility API's in-cluster URL. */}}
{{- define "probehub.apiURL" -}}
{{- if .Values.sensor.api -}}{{ .Values.sensor.api }}
{{- else if .Values.api.enabled -}}http://probehub-api.{{ include "probehub.namespace" . }}.svc:{{ .Values.api.port }}
{{- end -}}
{{- end -}}


{{/* The action kinds the response policies use, one per line. */}}
{{- define "probehub.responseKinds" -}}
{{- $kinds := dict -}}
{{- if .Values.response.enabled -}}
{{- range $p := .Values.response.policies -}}
{{- range $a := $p.actions -}}
{{- if kindIs "string" $a -}}
{{- $_ := set $kinds $a true -}}
{{- else -}}
{{- range $k, $_ := $a -}}
{{- $_ := set $kinds $k true -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $k, $_ := $kinds }}
{{ $k }}
{{- end -}}
{{- end -}}

{{/* "true" when a response action calls the Kubernetes API. */}}
{{- define "probehub.responseNeedsAPI" -}}
{{- $kinds := splitList "\n" (include "probehub.responseKinds" .) -}}
{{- range $k := list "terminate" "label" "annotate" "isolate" "cordon" -}}
{{- if has $k $kinds }}true{{ end -}}
{{- end -}}
{{- end -}}
