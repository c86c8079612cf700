{{/*
Probes. Liveness asks only whether the process answers (GET /healthz: never the database or a
broker, so that an outage of a dependency does not restart every pod); readiness asks whether it
can do its work (GET /readyz: Kafka, PostgreSQL, Redis as the app needs, and not draining); the
startup probe holds liveness off while the process connects. Paths are the apps' own; only the
timings are values. The port is the container port named "http".
*/}}

{{- define "herald-common.probes.one" -}}
{{- $p := .probe -}}
httpGet:
  path: {{ .path }}
  port: http
{{- with $p.initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
periodSeconds: {{ $p.periodSeconds }}
timeoutSeconds: {{ $p.timeoutSeconds }}
failureThreshold: {{ $p.failureThreshold }}
{{- if .allowSuccessThreshold }}
successThreshold: {{ $p.successThreshold | default 1 }}
{{- end }}
{{- end -}}

{{- define "herald-common.probes" -}}
livenessProbe:
  {{- include "herald-common.probes.one" (dict "probe" .Values.livenessProbe "path" "/healthz") | nindent 2 }}
readinessProbe:
  {{- include "herald-common.probes.one" (dict "probe" .Values.readinessProbe "path" "/readyz" "allowSuccessThreshold" true) | nindent 2 }}
{{- if .Values.startupProbe.enabled }}
startupProbe:
  {{- include "herald-common.probes.one" (dict "probe" .Values.startupProbe "path" "/healthz") | nindent 2 }}
{{- end }}
{{- end -}}
