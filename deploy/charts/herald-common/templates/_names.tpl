{{/*
Names. Same rules as bitnami/common: nameOverride replaces the chart name, fullnameOverride the
whole name, and a release whose name already contains the chart name is not repeated
(release "herald" + chart "ingest-api" = "herald-ingest-api"; release "ingest-api" = "ingest-api").
*/}}

{{- define "herald-common.names.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "herald-common.names.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A name derived from the fullname: (dict "root" $ "suffix" "migrate"). */}}
{{- define "herald-common.names.suffixed" -}}
{{- $base := include "herald-common.names.fullname" .root | trunc (int (sub 62 (len .suffix))) | trimSuffix "-" -}}
{{- printf "%s-%s" $base .suffix -}}
{{- end -}}

{{- define "herald-common.names.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "herald-common.names.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "herald-common.names.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}
