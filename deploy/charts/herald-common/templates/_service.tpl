{{/* The Service in front of the container port "http": include "herald-common.service" (dict "root" $ "component" "api") */}}
{{- define "herald-common.service" -}}
{{- $root := .root -}}
{{- $s := $root.Values.service -}}
{{- if $s.enabled }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "herald-common.names.fullname" $root }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "herald-common.labels.standard" . | nindent 4 }}
  {{- with include "herald-common.labels.annotations" (dict "root" $root "extra" $s.annotations) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
spec:
  type: {{ $s.type }}
  ports:
    - name: http
      port: {{ $s.port }}
      targetPort: http
      protocol: TCP
      appProtocol: http
  selector:
    {{- include "herald-common.labels.selector" $root | nindent 4 }}
{{- end }}
{{- end -}}
