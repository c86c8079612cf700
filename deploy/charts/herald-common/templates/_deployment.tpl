{{/*
The Deployment of one Herald process.
Usage: include "herald-common.deployment" (dict "root" $ "component" "api" "port" 9000 "env" (include "ingest-api.env" $))
No replicas field when an HPA or a KEDA ScaledObject owns the replica count (a field set by the
chart would fight the autoscaler on every upgrade).
*/}}
{{- define "herald-common.deployment" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- include "herald-common.validate" $root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "herald-common.names.fullname" $root }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "herald-common.labels.standard" . | nindent 4 }}
  {{- with include "herald-common.labels.annotations" (dict "root" $root) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
spec:
  {{- if not (include "herald-common.autoscaled" $root) }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: {{ $v.revisionHistoryLimit }}
  {{- with $v.updateStrategy }}
  strategy:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "herald-common.labels.selector" $root | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "herald-common.labels.standard" . | nindent 8 }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $v.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "herald-common.names.serviceAccountName" $root }}
      automountServiceAccountToken: {{ $v.automountServiceAccountToken }}
      enableServiceLinks: false
      {{- with include "herald-common.images.pullSecrets" $root | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      {{- with $v.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      securityContext:
        {{- include "herald-common.security.pod" $root | nindent 8 }}
      terminationGracePeriodSeconds: {{ include "herald-common.drain.terminationGracePeriodSeconds" $root }}
      {{- with include "herald-common.scheduling" . | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      containers:
        - name: {{ $root.Chart.Name }}
          image: {{ include "herald-common.images.image" (dict "root" $root "image" $v.image) | quote }}
          imagePullPolicy: {{ include "herald-common.images.pullPolicy" (dict "root" $root "image" $v.image) }}
          ports:
            - name: http
              containerPort: {{ .port }}
              protocol: TCP
          {{- (include "herald-common.env.list" (dict "root" $root "env" .env)) | nindent 10 }}
          {{- with $v.extraEnvFrom }}
          envFrom:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- include "herald-common.probes" $root | nindent 10 }}
          {{- with include "herald-common.drain.lifecycle" $root | trim }}
          {{- . | nindent 10 }}
          {{- end }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- include "herald-common.security.container" $root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with include "herald-common.kafka.volumeMount" $root | trim }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with $v.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $v.tmpSizeLimit | quote }}
        {{- with include "herald-common.kafka.volume" $root | trim }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with $v.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
{{- end -}}

{{/* "true" when an HPA or a KEDA ScaledObject owns the replica count, else "". */}}
{{- define "herald-common.autoscaled" -}}
{{- if or (.Values.autoscaling | default dict).enabled (.Values.keda | default dict).enabled -}}true{{- end -}}
{{- end -}}

{{/*
Scheduling. topologySpreadConstraints without a labelSelector get this pod's selector labels
(the default spreads replicas over nodes and zones, softly).
*/}}
{{- define "herald-common.scheduling" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if $v.topologySpreadConstraints }}
{{- $constraints := list }}
{{- range $v.topologySpreadConstraints }}
{{- $c := deepCopy . }}
{{- if not (hasKey $c "labelSelector") }}
{{- $_ := set $c "labelSelector" (dict "matchLabels" (include "herald-common.labels.selector" $root | fromYaml)) }}
{{- end }}
{{- $constraints = append $constraints $c }}
{{- end }}
topologySpreadConstraints:
  {{- toYaml $constraints | nindent 2 }}
{{- end }}
{{- end -}}
