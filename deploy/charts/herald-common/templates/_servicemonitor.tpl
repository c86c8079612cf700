{{/* A Prometheus Operator ServiceMonitor scraping GET /metrics on the Service's "http" port. */}}
{{- define "herald-common.serviceMonitor" -}}
{{- $root := .root -}}
{{- $m := $root.Values.serviceMonitor -}}
{{- if $m.enabled }}
{{- if not $root.Values.service.enabled }}
{{- fail (printf "%s: serviceMonitor.enabled needs service.enabled (a ServiceMonitor scrapes through a Service)" $root.Chart.Name) }}
{{- end }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "herald-common.names.fullname" $root }}
  namespace: {{ $m.namespace | default $root.Release.Namespace }}
  labels:
    {{- include "herald-common.labels.standard" . | nindent 4 }}
    {{- with $m.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with include "herald-common.labels.annotations" (dict "root" $root) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
spec:
  jobLabel: app.kubernetes.io/name
  namespaceSelector:
    matchNames:
      - {{ $root.Release.Namespace }}
  selector:
    matchLabels:
      {{- include "herald-common.labels.selector" $root | nindent 6 }}
  endpoints:
    - port: http
      path: /metrics
      interval: {{ $m.interval }}
      scrapeTimeout: {{ $m.scrapeTimeout }}
      {{- with $m.relabelings }}
      relabelings:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $m.metricRelabelings }}
      metricRelabelings:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
{{- end -}}
