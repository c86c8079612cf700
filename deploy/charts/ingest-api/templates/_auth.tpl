{{/*
Authentication fails closed. API_KEYS comes from apiKeys.existingSecret (a secretKeyRef, never
optional: without the Secret the pod does not start, and without keys the app does not either).
Running without authentication takes auth.disabled: true, which sets AUTH_DISABLED=true, and an
empty apiKeys.existingSecret: both on purpose, so that no missing or mistyped value ever means
"no authentication". Anything else fails the render with the values to set.
"true" when authentication is off, else "".
*/}}
{{- define "ingest-api.authDisabled" -}}
{{- $disabled := and (kindIs "bool" .Values.auth.disabled) .Values.auth.disabled -}}
{{- $secret := .Values.apiKeys.existingSecret -}}
{{- if $disabled -}}
{{- if $secret -}}
{{- fail (printf "%s: auth.disabled is true but apiKeys.existingSecret names %s: to run without authentication set apiKeys.existingSecret=\"\" as well; to keep authentication set auth.disabled=false" .Chart.Name $secret) -}}
{{- end -}}
true
{{- else if not $secret -}}
{{- fail (printf "%s: apiKeys.existingSecret is empty, and the ingest-api does not run without API keys: create a Secret holding API_KEYS (name:key pairs) and name it in apiKeys.existingSecret (and apiKeys.existingSecretKey), or switch authentication off on purpose with auth.disabled=true (local and test clusters only)" .Chart.Name) -}}
{{- end -}}
{{- end -}}

{{/*
The warning NOTES.txt prints (here and in the herald chart) when authentication is off:
(dict "Values" <the ingest-api's values> "prefix" "" | "ingest-api.")
*/}}
{{- define "ingest-api.authWarning" -}}
{{- $p := .prefix | default "" -}}
################################################################################
WARNING: AUTHENTICATION IS OFF ({{ $p }}auth.disabled=true, AUTH_DISABLED=true).
/v1 accepts every request without an API key, all as client "default": anyone
who reaches the Service{{ if .Values.networkPolicy.allowExternal }} ({{ $p }}networkPolicy.allowExternal is true){{ end }}{{ if .Values.ingress.enabled }} or the Ingress{{ end }} can send
notifications and read every message's status. For local and test clusters only.
Turn it on: create a Secret holding API_KEYS, then
  --set {{ $p }}auth.disabled=false --set {{ $p }}apiKeys.existingSecret=<that Secret>
################################################################################
{{- end -}}
