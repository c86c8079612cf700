{{/*
Security contexts. The defaults (values.yaml of each chart) are the hardened ones: non-root
(65532, the distroless "nonroot" user the images run as), read-only root filesystem, no privilege
escalation, every capability dropped, seccomp RuntimeDefault. values.schema.json refuses values
that would weaken them. A field set to null is left out (Helm drops it), e.g. runAsUser and
fsGroup on OpenShift, which assigns them.
*/}}

{{- define "herald-common.security.pod" -}}
{{- toYaml (.Values.podSecurityContext | default dict) -}}
{{- end -}}

{{- define "herald-common.security.container" -}}
{{- toYaml (.Values.containerSecurityContext | default dict) -}}
{{- end -}}
