{{/*
The container environment, in this order:
  1. what the app chart manages (ports, addresses, Secret references), given as .env (YAML list)
  2. config: any other Herald variable, NAME: value (values.schema.json lists the known ones with
     their types and bounds, generated from the apps' config modules)
  3. extraEnv: raw EnvVar entries (e.g. valueFrom a ConfigMap or another Secret)
A name that appears twice fails the render instead of letting one silently win.
Usage: include "herald-common.env" (dict "root" $ "env" (include "ingest-api.env" $))
*/}}
{{- define "herald-common.env.list" -}}
{{- $root := .root -}}
{{- $managed := (fromYaml (printf "env:\n%s" (.env | default ""))).env | default list -}}
{{- $config := list -}}
{{- range $name := keys ($root.Values.config | default dict) | sortAlpha -}}
{{- $value := get $root.Values.config $name -}}
{{- if not (kindIs "invalid" $value) -}}
{{- $config = append $config (dict "name" $name "value" (include "herald-common.envValue" $value)) -}}
{{- end -}}
{{- end -}}
{{- $all := concat $managed $config ($root.Values.extraEnv | default list) -}}
{{- $seen := dict -}}
{{- range $all -}}
{{- if hasKey $seen .name -}}
{{- fail (printf "%s: environment variable %s is set twice (by the chart, config or extraEnv): set it in one place" $root.Chart.Name .name) -}}
{{- end -}}
{{- $_ := set $seen .name true -}}
{{- end -}}
{{- toYaml (dict "env" $all) -}}
{{- end -}}
