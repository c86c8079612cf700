{{/*
An Ingress to the Service's "http" port. Only the paths listed are routed: by default /v1 (the
API), so that /healthz, /readyz and /metrics stay inside the cluster.
*/}}
{{- define "herald-common.ingress" -}}
{{- $root := .root -}}
{{- $i := $root.Values.ingress -}}
{{- if $i.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "herald-common.names.fullname" $root }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "herald-common.labels.standard" . | nindent 4 }}
  {{- with include "herald-common.labels.annotations" (dict "root" $root "extra" $i.annotations) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
spec:
  {{- with $i.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- with $i.tls }}
  tls:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    {{- range $i.hosts }}
    - host: {{ .host | quote }}
      http:
        paths:
          {{- range .paths }}
          - path: {{ .path }}
            pathType: {{ .pathType }}
            backend:
              service:
                name: {{ include "herald-common.names.fullname" $root }}
                port:
                  name: http
          {{- end }}
    {{- end }}
{{- end }}
{{- end -}}
