{{/*
KEDA autoscaling for queue consumers: CPU says little about a worker that mostly waits on SMTP or
an SMS gateway, the depth of its queue says how far behind it is.
Usage: include "herald-common.keda" (dict "root" $ "component" "worker" "triggers" (list ...))
where the app chart passes the triggers its values switch on, each a dict: {"type": "redis", "list": "EmailQueue"} (the BullMQ waiting list
<QUEUE_PREFIX>:<queue>:wait, a Redis LIST) or {"type": "kafka", "topic": "north-updates",
"group": "herald-bridge"} (consumer lag; names get KAFKA_TOPIC_PREFIX as the apps do).
KEDA creates the HPA itself; the Deployment then has no replicas field.
*/}}
{{- define "herald-common.keda" -}}
{{- $root := .root -}}
{{- $k := $root.Values.keda -}}
{{- if $k.enabled }}
{{- $fullname := include "herald-common.names.fullname" $root -}}
{{- $queuePrefix := include "herald-common.settingString" (dict "root" $root "path" (list "queues" "prefix")) -}}
{{- $topicPrefix := include "herald-common.settingString" (dict "root" $root "path" (list "kafka" "topicPrefix")) -}}
{{- $brokers := include "herald-common.settingString" (dict "root" $root "path" (list "kafka" "brokers")) -}}
{{- $triggers := .triggers | default list -}}
{{- if not $triggers }}
{{- fail (printf "%s: keda.enabled is true but every KEDA trigger is switched off (keda.redis.enabled, keda.kafka.enabled): enable one, or set keda.enabled=false" $root.Chart.Name) }}
{{- end }}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ $fullname }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "herald-common.labels.standard" . | nindent 4 }}
  {{- with include "herald-common.labels.annotations" (dict "root" $root) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $fullname }}
  minReplicaCount: {{ $k.minReplicaCount }}
  maxReplicaCount: {{ $k.maxReplicaCount }}
  pollingInterval: {{ $k.pollingInterval }}
  cooldownPeriod: {{ $k.cooldownPeriod }}
  {{- with $k.behavior }}
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        {{- toYaml . | nindent 8 }}
  {{- end }}
  triggers:
    {{- range $triggers }}
    {{- if eq .type "redis" }}
    - type: redis
      metadata:
        address: {{ required (printf "%s: keda.redis.address is required (host:port of Redis as KEDA reaches it; REDIS_URL is a secret KEDA cannot read)" $root.Chart.Name) $k.redis.address | quote }}
        listName: {{ printf "%s:%s:wait" $queuePrefix .list | quote }}
        listLength: {{ $k.redis.listLength | toString | quote }}
        activationListLength: {{ $k.redis.activationListLength | toString | quote }}
        databaseIndex: {{ $k.redis.databaseIndex | toString | quote }}
        enableTLS: {{ $k.redis.enableTLS | toString | quote }}
      {{- with include "herald-common.keda.authRef" (dict "root" $root "auth" $k.redis.authentication "suffix" "keda-redis") | trim }}
      {{- . | nindent 6 }}
      {{- end }}
    {{- else }}
    - type: kafka
      metadata:
        bootstrapServers: {{ $k.kafka.bootstrapServers | default $brokers | quote }}
        consumerGroup: {{ ternary (printf "%s.%s" $topicPrefix .group) .group (ne $topicPrefix "") | quote }}
        topic: {{ ternary (printf "%s.%s" $topicPrefix .topic) .topic (ne $topicPrefix "") | quote }}
        lagThreshold: {{ $k.kafka.lagThreshold | toString | quote }}
        activationLagThreshold: {{ $k.kafka.activationLagThreshold | toString | quote }}
        offsetResetPolicy: {{ $k.kafka.offsetResetPolicy | quote }}
      {{- with include "herald-common.keda.authRef" (dict "root" $root "auth" $k.kafka.authentication "suffix" "keda-kafka") | trim }}
      {{- . | nindent 6 }}
      {{- end }}
    {{- end }}
    {{- end }}
{{- $types := list }}
{{- range $triggers }}{{ $types = append $types .type }}{{ end }}
{{- if has "redis" $types }}
{{- include "herald-common.keda.triggerAuthentication" (dict "root" $root "component" .component "auth" $k.redis.authentication "suffix" "keda-redis") }}
{{- end }}
{{- if has "kafka" $types }}
{{- include "herald-common.keda.triggerAuthentication" (dict "root" $root "component" .component "auth" $k.kafka.authentication "suffix" "keda-kafka") }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "herald-common.keda.authRef" -}}
{{- if .auth.existingTriggerAuthentication }}
authenticationRef:
  name: {{ .auth.existingTriggerAuthentication }}
{{- else if .auth.secretTargetRef }}
authenticationRef:
  name: {{ include "herald-common.names.suffixed" (dict "root" .root "suffix" .suffix) }}
{{- end }}
{{- end -}}

{{/* A TriggerAuthentication that only references existing Secrets (never values). Rendered once. */}}
{{- define "herald-common.keda.triggerAuthentication" -}}
{{- if and (not .auth.existingTriggerAuthentication) .auth.secretTargetRef }}
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: {{ include "herald-common.names.suffixed" (dict "root" .root "suffix" .suffix) }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "herald-common.labels.standard" . | nindent 4 }}
spec:
  secretTargetRef:
    {{- range .auth.secretTargetRef }}
    - parameter: {{ .parameter }}
      name: {{ .name }}
      key: {{ .key }}
    {{- end }}
{{- end }}
{{- end -}}
