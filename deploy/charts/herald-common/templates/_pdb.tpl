{{/*
A PodDisruptionBudget. maxUnavailable: 1 by default: drains and node upgrades take pods one at a
time, and a single replica never blocks a drain forever (as minAvailable: 1 would). minAvailable,
when set, is used instead of maxUnavailable.
*/}}
{{- define "herald-common.pdb" -}}
{{- $root := .root -}}
{{- $p := $root.Values.pdb -}}
{{- if $p.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "herald-common.names.fullname" $root }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "herald-common.labels.standard" . | nindent 4 }}
  {{- with include "herald-common.labels.annotations" (dict "root" $root) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
spec:
  {{- if not (or (kindIs "invalid" $p.minAvailable) (eq (toString $p.minAvailable) "")) }}
  minAvailable: {{ $p.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $p.maxUnavailable }}
  {{- end }}
  {{- with $p.unhealthyPodEvictionPolicy }}
  unhealthyPodEvictionPolicy: {{ . }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "herald-common.labels.selector" $root | nindent 6 }}
{{- end }}
{{- end -}}
