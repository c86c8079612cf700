{{/* The environment this chart manages; the rest comes from .Values.config and .Values.extraEnv. */}}
{{- define "sms-worker.env" -}}
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
- name: SMS_PROVIDER_URL
  value: {{ .Values.smsProvider.url | quote }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "SMS_PROVIDER_API_KEY" "path" (list "smsProvider" "apiKey")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "TWILIO_AUTH_TOKEN" "path" (list "providerSecrets" "twilioAuthToken")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "VONAGE_API_SECRET" "path" (list "providerSecrets" "vonageApiSecret")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "SNS_SECRET_ACCESS_KEY" "path" (list "providerSecrets" "snsSecretAccessKey")) }}
{{- end -}}
