{{/* The environment this chart manages; the rest comes from .Values.config and .Values.extraEnv. */}}
{{- define "ingest-api.env" -}}
- name: PORT
  value: {{ .Values.containerPort | toString | quote }}
- name: HOST
  value: "0.0.0.0"
- name: WEB_CONCURRENCY
  value: {{ .Values.webConcurrency | toString | quote }}
{{ include "herald-common.kafka.env" . }}
- name: QUEUE_PREFIX
  value: {{ include "herald-common.settingString" (dict "root" . "path" (list "queues" "prefix")) | quote }}
- name: SHUTDOWN_GRACE_MS
  value: {{ include "herald-common.envValue" .Values.drain.shutdownGraceMs | quote }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "DATABASE_URL" "path" (list "database")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "REDIS_URL" "path" (list "redis")) }}
{{- if include "ingest-api.authDisabled" . }}
- name: AUTH_DISABLED
  value: "true"
{{- else }}
- name: AUTH_DISABLED
  value: "false"
{{ include "herald-common.secretEnv" (dict "root" . "name" "API_KEYS" "path" (list "apiKeys")) }}
{{- end }}
{{ include "herald-common.webhooks.env" (dict "root" . "required" false) }}
{{- end -}}
