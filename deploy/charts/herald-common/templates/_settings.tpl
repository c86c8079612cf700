{{/*
Settings shared through the umbrella chart. A value under global.herald, when set (not empty),
takes precedence over the chart's own value at the same path, as bitnami's global.imageRegistry
does. Returns {"v": value, "at": the values path it came from} as JSON:
(include "herald-common.setting" (dict "root" $ "path" (list "kafka" "brokers")) | fromJson).v
*/}}
{{- define "herald-common.setting" -}}
{{- $g := (.root.Values.global | default dict) -}}
{{- if kindIs "map" $g }}{{ $g = get $g "herald" }}{{ end -}}
{{- $l := .root.Values -}}
{{- range .path -}}
{{- if kindIs "map" $g }}{{ $g = get $g . }}{{ else }}{{ $g = "" }}{{ end -}}
{{- if kindIs "map" $l }}{{ $l = get $l . }}{{ else }}{{ $l = "" }}{{ end -}}
{{- end -}}
{{- $global := printf "global.herald.%s" (join "." .path) -}}
{{- if or (kindIs "bool" $g) (kindIs "float64" $g) (kindIs "int64" $g) (kindIs "int" $g) -}}
{{- toJson (dict "v" $g "at" $global) -}}
{{- else if not (empty $g) -}}
{{- toJson (dict "v" $g "at" $global) -}}
{{- else -}}
{{- toJson (dict "v" $l "at" (join "." .path)) -}}
{{- end -}}
{{- end -}}

{{/* A setting as a plain string (lists joined with commas). */}}
{{- define "herald-common.settingString" -}}
{{- $v := (include "herald-common.setting" . | fromJson).v -}}
{{- include "herald-common.envValue" $v -}}
{{- end -}}

{{/*
An environment variable value as a string: whole numbers without an exponent (YAML numbers reach
templates as float64, which would print 86400000 as 8.64e+07), lists joined with commas.
*/}}
{{- define "herald-common.envValue" -}}
{{- if kindIs "float64" . -}}
{{- if eq (float64 (floor .)) . }}{{ printf "%.0f" . }}{{ else }}{{ . }}{{ end -}}
{{- else if kindIs "slice" . -}}
{{- $items := list -}}
{{- range . }}{{ $items = append $items (include "herald-common.envValue" .) }}{{ end -}}
{{- join "," $items -}}
{{- else if kindIs "invalid" . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/*
A reference to a key of an existing Secret, with global.herald precedence:
(include "herald-common.secretRef" (dict "root" $ "path" (list "database")) | fromJson)
gives {"name": ..., "key": ..., "optional": bool}. Never a value: Herald's charts only reference Secrets.
*/}}
{{- define "herald-common.secretRef" -}}
{{- $name := (include "herald-common.setting" (dict "root" .root "path" (concat .path (list "existingSecret"))) | fromJson).v -}}
{{- $key := (include "herald-common.setting" (dict "root" .root "path" (concat .path (list "existingSecretKey"))) | fromJson).v -}}
{{- $optional := (include "herald-common.setting" (dict "root" .root "path" (concat .path (list "optional"))) | fromJson).v -}}
{{- if not $name -}}
{{- fail (printf "%s: %s.existingSecret is empty: name an existing Secret (Herald's charts never take secret values from values files)" .root.Chart.Name (join "." .path)) -}}
{{- end -}}
{{- if not $key -}}
{{- fail (printf "%s: %s.existingSecretKey is empty: name the key of Secret %s that holds the value" .root.Chart.Name (join "." .path) $name) -}}
{{- end -}}
{{- toJson (dict "name" $name "key" $key "optional" (and (kindIs "bool" $optional) $optional)) -}}
{{- end -}}

{{/* An env entry from a Secret: (dict "root" $ "name" "DATABASE_URL" "path" (list "database")) */}}
{{- define "herald-common.secretEnv" -}}
{{- $ref := include "herald-common.secretRef" . | fromJson -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.name | quote }}
      key: {{ $ref.key | quote }}
      {{- if $ref.optional }}
      optional: true
      {{- end }}
{{- end -}}
