{{/* The environment this chart manages; the rest comes from .Values.config and .Values.extraEnv. */}}
{{- define "receipts-api.env" -}}
- name: PORT
  value: {{ .Values.containerPort | toString | quote }}
- name: HOST
  value: "0.0.0.0"
{{ include "herald-common.kafka.env" . }}
- name: SHUTDOWN_GRACE_MS
  value: {{ include "herald-common.envValue" .Values.drain.shutdownGraceMs | quote }}
- name: RECEIPTS_PUBLIC_URL
  value: {{ include "receipts-api.publicUrl" . | quote }}
- name: RECEIPT_PROVIDERS
  value: {{ include "herald-common.envValue" (.Values.receiptProviders | default list) | quote }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "TWILIO_AUTH_TOKEN" "path" (list "providerSecrets" "twilioAuthToken")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "VONAGE_SIGNATURE_SECRET" "path" (list "providerSecrets" "vonageSignatureSecret")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "MAILGUN_WEBHOOK_SIGNING_KEY" "path" (list "providerSecrets" "mailgunWebhookSigningKey")) }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "POSTMARK_WEBHOOK_PASSWORD" "path" (list "providerSecrets" "postmarkWebhookPassword")) }}
{{- end -}}
