{{/*
A ServiceAccount of its own (for workload-identity annotations, e.g. IRSA or GKE Workload
Identity), with no API token mounted: Herald never talks to the Kubernetes API.
*/}}
{{- define "herald-common.serviceAccount" -}}
{{- $root := .root -}}
{{- if $root.Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "herald-common.names.serviceAccountName" $root }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "herald-common.labels.standard" . | nindent 4 }}
  {{- with include "herald-common.labels.annotations" (dict "root" $root "extra" $root.Values.serviceAccount.annotations) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
automountServiceAccountToken: {{ $root.Values.serviceAccount.automountServiceAccountToken }}
{{- end }}
{{- end -}}
