{{/*
Labels (Kubernetes recommended labels). Selector labels never change after the first install;
the component label says which part of Herald a resource belongs to.
Usage: include "herald-common.labels.standard" (dict "root" $ "component" "api")
(an "image" entry gives the version label; default: .Values.image)
*/}}

{{- define "herald-common.labels.selector" -}}
app.kubernetes.io/name: {{ include "herald-common.names.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "herald-common.labels.standard" -}}
{{- $root := .root -}}
{{ include "herald-common.labels.selector" $root }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: herald
app.kubernetes.io/version: {{ include "herald-common.images.tag" (dict "root" $root "image" (.image | default $root.Values.image)) | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ include "herald-common.names.chart" $root }}
{{- with $root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* metadata.annotations from commonAnnotations, plus extra ones: (dict "root" $ "extra" dict) */}}
{{- define "herald-common.labels.annotations" -}}
{{- $all := merge (dict) (.extra | default dict) (.root.Values.commonAnnotations | default dict) -}}
{{- with $all }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
