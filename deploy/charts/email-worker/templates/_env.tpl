{{/* The environment this chart manages; the rest comes from .Values.config and .Values.extraEnv. */}}
{{- define "email-worker.env" -}}
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
{{ include "herald-common.secretEnv" (dict "root" . "name" "SMTP_URL" "path" (list "smtp")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "SES_SECRET_ACCESS_KEY" "path" (list "providerSecrets" "sesSecretAccessKey")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "SENDGRID_API_KEY" "path" (list "providerSecrets" "sendgridApiKey")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "MAILGUN_API_KEY" "path" (list "providerSecrets" "mailgunApiKey")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "POSTMARK_SERVER_TOKEN" "path" (list "providerSecrets" "postmarkServerToken")) }}
{{- end -}}
