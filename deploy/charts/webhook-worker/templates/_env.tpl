{{/* The environment this chart manages; the rest comes from .Values.config and .Values.extraEnv. */}}
{{- define "webhook-worker.env" -}}
- name: HEALTH_HOST
  value: "0.0.0.0"
- name: HEALTH_PORT
  value: {{ .Values.containerPort | toString | quote }}
{{ include "herald-common.kafka.env" . }}
- name: QUEUE_PREFIX
  value: {{ include "herald-common.settingString" (dict "root" . "path" (list "queues" "prefix")) | quote }}
- name: SHUTDOWN_GRACE_MS
  value: {{ include "herald-common.envValue" .Values.drain.shutdownGraceMs | quote }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "DATABASE_URL" "path" (list "database")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "REDIS_URL" "path" (list "redis")) }}
{{ include "herald-common.webhooks.env" (dict "root" . "required" true) }}
{{- end -}}
