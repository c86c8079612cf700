{{/*
A NetworkPolicy for the pods' one port ("http": the API, or health and metrics for the bridge and
the workers). Ingress: from anywhere when networkPolicy.allowExternal is true (the ingest-api's
default: it is the public intake), else only from networkPolicy.ingressFrom and
networkPolicy.metricsFrom peers (e.g. the ingress controller's and Prometheus' namespaces).
Kubelet probes are not subject to NetworkPolicy. Egress stays open unless
networkPolicy.egress.enabled, which then allows DNS and networkPolicy.egress.to only.
*/}}
{{- define "herald-common.networkPolicy" -}}
{{- $root := .root -}}
{{- $n := $root.Values.networkPolicy -}}
{{- if $n.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "herald-common.names.fullname" $root }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "herald-common.labels.standard" . | nindent 4 }}
  {{- with include "herald-common.labels.annotations" (dict "root" $root) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
spec:
  podSelector:
    matchLabels:
      {{- include "herald-common.labels.selector" $root | nindent 6 }}
  policyTypes:
    - Ingress
    {{- if $n.egress.enabled }}
    - Egress
    {{- end }}
  ingress:
    - ports:
        - port: http
          protocol: TCP
      {{- if not $n.allowExternal }}
      {{- $from := concat ($n.ingressFrom | default list) ($n.metricsFrom | default list) }}
      from:
        {{- if $from }}
        {{- toYaml $from | nindent 8 }}
        {{- else }}
        - podSelector:
            matchLabels:
              {{- include "herald-common.labels.selector" $root | nindent 14 }}
        {{- end }}
      {{- end }}
  {{- if $n.egress.enabled }}
  egress:
    - ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- with $n.egress.to }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end -}}
