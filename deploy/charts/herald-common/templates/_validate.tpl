{{/*
Checks across values that a JSON schema cannot express (or would explain badly). Each failure
names the chart and the values involved; values.schema.json does the rest.
(Helm 3.6 templates do not short-circuit `and`/`or`, hence the nested ifs.)
*/}}
{{- define "herald-common.validate" -}}
{{- $v := .Values -}}
{{- $hpa := ($v.autoscaling | default dict).enabled -}}
{{- $keda := ($v.keda | default dict).enabled -}}
{{- if and $hpa $keda -}}
{{- fail (printf "%s: autoscaling.enabled and keda.enabled are both true: choose one (a KEDA ScaledObject creates its own HorizontalPodAutoscaler)" .Chart.Name) -}}
{{- end -}}
{{- if $hpa -}}
{{- if not (dig "requests" "cpu" "" ($v.resources | default dict)) -}}
{{- fail (printf "%s: autoscaling.enabled needs resources.requests.cpu (the HPA target is a share of the CPU request)" .Chart.Name) -}}
{{- end -}}
{{- if gt (int64 $v.autoscaling.minReplicas) (int64 $v.autoscaling.maxReplicas) -}}
{{- fail (printf "%s: autoscaling.minReplicas (%v) is above autoscaling.maxReplicas (%v)" .Chart.Name $v.autoscaling.minReplicas $v.autoscaling.maxReplicas) -}}
{{- end -}}
{{- end -}}
{{- if $keda -}}
{{- if gt (int64 $v.keda.minReplicaCount) (int64 $v.keda.maxReplicaCount) -}}
{{- fail (printf "%s: keda.minReplicaCount (%v) is above keda.maxReplicaCount (%v)" .Chart.Name $v.keda.minReplicaCount $v.keda.maxReplicaCount) -}}
{{- end -}}
{{- end -}}
{{- if and $v.serviceMonitor.enabled $v.networkPolicy.enabled (not $v.networkPolicy.allowExternal) (not $v.networkPolicy.metricsFrom) -}}
{{- fail (printf "%s: serviceMonitor.enabled, but the NetworkPolicy admits no scraper: set networkPolicy.metricsFrom (e.g. [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]) or networkPolicy.allowExternal" .Chart.Name) -}}
{{- end -}}
{{- if $v.pdb.enabled -}}
{{- $min := not (or (kindIs "invalid" $v.pdb.minAvailable) (eq (toString $v.pdb.minAvailable) "")) -}}
{{- $max := not (kindIs "invalid" $v.pdb.maxUnavailable) -}}
{{- if not (or $min $max) -}}
{{- fail (printf "%s: pdb.enabled needs pdb.maxUnavailable or pdb.minAvailable" .Chart.Name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
