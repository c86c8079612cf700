{{/*
Image references: (dict "root" $ "image" .Values.image). global.herald.image.registry, .tag and
.pullPolicy, when set, take precedence (one place to move every Herald image to a private
registry or a release). A digest, when set, pins the image and the tag is ignored.
*/}}

{{- define "herald-common.images.tag" -}}
{{- $global := dig "herald" "image" "tag" "" (.root.Values.global | default dict) -}}
{{- coalesce $global (.image | default dict).tag .root.Chart.AppVersion | toString -}}
{{- end -}}

{{- define "herald-common.images.image" -}}
{{- $registry := coalesce (dig "herald" "image" "registry" "" (.root.Values.global | default dict)) .image.registry "" -}}
{{- $ref := .image.repository -}}
{{- if $registry }}{{ $ref = printf "%s/%s" (trimSuffix "/" $registry) $ref }}{{ end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $ref .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (include "herald-common.images.tag" .) -}}
{{- end -}}
{{- end -}}

{{- define "herald-common.images.pullPolicy" -}}
{{- coalesce (dig "herald" "image" "pullPolicy" "" (.root.Values.global | default dict)) .image.pullPolicy "IfNotPresent" -}}
{{- end -}}

{{- define "herald-common.images.pullSecrets" -}}
{{- $secrets := concat (dig "herald" "imagePullSecrets" (list) (.Values.global | default dict)) (.Values.imagePullSecrets | default list) -}}
{{- with $secrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ if kindIs "map" . }}{{ get . "name" | quote }}{{ else }}{{ . | quote }}{{ end }}
  {{- end }}
{{- end }}
{{- end -}}
