{{/*
Kafka: the connection variables every Herald app reads (libs/kafka/src/config.ts), from the
kafka values block, with global.herald.kafka precedence as for every shared setting:

  kafka.brokers, kafka.topicPrefix      KAFKA_BROKERS, KAFKA_TOPIC_PREFIX
  kafka.tls.enabled                     KAFKA_SSL ("true" / "false")
  kafka.tls.ca.existingSecret           a PEM bundle of CAs, mounted read-only at /etc/herald/kafka-ca
   or kafka.tls.ca.existingConfigMap,   (the root filesystem is read-only); KAFKA_SSL_CA_FILE is then
   kafka.tls.ca.key                     /etc/herald/kafka-ca/ca.crt. Neither named: the system CAs.
  kafka.sasl.mechanism                  KAFKA_SASL_MECHANISM (none, plain, scram-sha-256, scram-sha-512)
  kafka.sasl.username                   KAFKA_SASL_USERNAME (a plain value), with a mechanism only
  kafka.sasl.password                   KAFKA_SASL_PASSWORD from an existing Secret (secretKeyRef),
                                        with a mechanism only; never a value

The CA source is taken as a whole: a Secret or ConfigMap named under global.herald.kafka.tls.ca
replaces the chart's own (its key defaults to the chart's kafka.tls.ca.key).
What a schema cannot check across values (and across global and chart values) fails the render here.
*/}}

{{/* The directory the CA bundle is mounted at, and the file KAFKA_SSL_CA_FILE names. */}}
{{- define "herald-common.kafka.caDir" -}}/etc/herald/kafka-ca{{- end -}}
{{- define "herald-common.kafka.caFile" -}}{{ include "herald-common.kafka.caDir" . }}/ca.crt{{- end -}}

{{/*
The CA bundle's source as JSON: {"kind": "secret" | "configMap" | "", "name": ..., "key": ..., "at": values path}.
Usage: (include "herald-common.kafka.ca" $ | fromJson)
*/}}
{{- define "herald-common.kafka.ca" -}}
{{- $g := (.Values.global | default dict) -}}
{{- range (list "herald" "kafka" "tls" "ca") -}}
{{- if kindIs "map" $g }}{{ $g = get $g . }}{{ end -}}
{{- end -}}
{{- if not (kindIs "map" $g) }}{{ $g = dict }}{{ end -}}
{{- $l := dict -}}
{{- with .Values.kafka }}{{ with .tls }}{{ with .ca }}{{ $l = . }}{{ end }}{{ end }}{{ end -}}
{{- $src := $l -}}
{{- $at := "kafka.tls.ca" -}}
{{- if or $g.existingSecret $g.existingConfigMap -}}
{{- $src = $g -}}
{{- $at = "global.herald.kafka.tls.ca" -}}
{{- end -}}
{{- if and $src.existingSecret $src.existingConfigMap -}}
{{- fail (printf "%s: %s names both existingSecret (%s) and existingConfigMap (%s): the CA bundle comes from one of them" .Chart.Name $at $src.existingSecret $src.existingConfigMap) -}}
{{- end -}}
{{- $key := $g.key | default $l.key | default "ca.crt" -}}
{{- if $src.existingSecret -}}
{{- toJson (dict "kind" "secret" "name" $src.existingSecret "key" $key "at" $at) -}}
{{- else if $src.existingConfigMap -}}
{{- toJson (dict "kind" "configMap" "name" $src.existingConfigMap "key" $key "at" $at) -}}
{{- else -}}
{{- toJson (dict "kind" "" "name" "" "key" $key "at" $at) -}}
{{- end -}}
{{- end -}}

{{/* KAFKA_SASL_MECHANISM as rendered: the setting, "none" when empty. */}}
{{- define "herald-common.kafka.mechanism" -}}
{{- include "herald-common.settingString" (dict "root" . "path" (list "kafka" "sasl" "mechanism")) | default "none" -}}
{{- end -}}

{{/*
The Kafka env entries (YAML list items), for an app chart's "<chart>.env".
Usage: {{ include "herald-common.kafka.env" . }}
*/}}
{{- define "herald-common.kafka.env" -}}
{{- $tls := (include "herald-common.setting" (dict "root" . "path" (list "kafka" "tls" "enabled")) | fromJson).v -}}
{{- $tls = and (kindIs "bool" $tls) $tls -}}
{{- $ca := include "herald-common.kafka.ca" . | fromJson -}}
{{- $mechanism := include "herald-common.kafka.mechanism" . -}}
{{- $username := include "herald-common.settingString" (dict "root" . "path" (list "kafka" "sasl" "username")) -}}
{{- $passwordSecret := include "herald-common.settingString" (dict "root" . "path" (list "kafka" "sasl" "password" "existingSecret")) -}}
{{- if and $ca.kind (not $tls) -}}
{{- fail (printf "%s: %s names a CA bundle (%s %s) but kafka.tls.enabled is false: set kafka.tls.enabled=true (or global.herald.kafka.tls.enabled), or remove the CA" .Chart.Name $ca.at $ca.kind $ca.name) -}}
{{- end -}}
{{- if eq $mechanism "none" -}}
{{- if or $username $passwordSecret -}}
{{- fail (printf "%s: kafka.sasl.username or kafka.sasl.password.existingSecret is set but kafka.sasl.mechanism is none: set the mechanism (plain, scram-sha-256, scram-sha-512), or remove them" .Chart.Name) -}}
{{- end -}}
{{- else -}}
{{- if not $username -}}
{{- fail (printf "%s: kafka.sasl.mechanism is %s but kafka.sasl.username is empty: name the SASL user (KAFKA_SASL_USERNAME)" .Chart.Name $mechanism) -}}
{{- end -}}
{{- if not $passwordSecret -}}
{{- fail (printf "%s: kafka.sasl.mechanism is %s but kafka.sasl.password.existingSecret is empty: name the existing Secret holding KAFKA_SASL_PASSWORD (the charts never take secret values from values files)" .Chart.Name $mechanism) -}}
{{- end -}}
{{- end -}}
- name: KAFKA_BROKERS
  value: {{ include "herald-common.settingString" (dict "root" . "path" (list "kafka" "brokers")) | quote }}
- name: KAFKA_TOPIC_PREFIX
  value: {{ include "herald-common.settingString" (dict "root" . "path" (list "kafka" "topicPrefix")) | quote }}
- name: KAFKA_SSL
  value: {{ ternary "true" "false" $tls | quote }}
{{- if $ca.kind }}
- name: KAFKA_SSL_CA_FILE
  value: {{ include "herald-common.kafka.caFile" . | quote }}
{{- end }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $mechanism | quote }}
{{- if ne $mechanism "none" }}
- name: KAFKA_SASL_USERNAME
  value: {{ $username | quote }}
{{ include "herald-common.secretEnv" (dict "root" . "name" "KAFKA_SASL_PASSWORD" "path" (list "kafka" "sasl" "password")) }}
{{- end }}
{{- end -}}

{{/* The CA bundle's volumeMount (a list item), or nothing. */}}
{{- define "herald-common.kafka.volumeMount" -}}
{{- $ca := include "herald-common.kafka.ca" . | fromJson -}}
{{- if $ca.kind }}
- name: kafka-ca
  mountPath: {{ include "herald-common.kafka.caDir" . }}
  readOnly: true
{{- end }}
{{- end -}}

{{/* The CA bundle's volume (a list item): only its key, as ca.crt. Or nothing. */}}
{{- define "herald-common.kafka.volume" -}}
{{- $ca := include "herald-common.kafka.ca" . | fromJson -}}
{{- if eq $ca.kind "secret" }}
- name: kafka-ca
  secret:
    secretName: {{ $ca.name | quote }}
    items:
      - key: {{ $ca.key | quote }}
        path: ca.crt
{{- else if eq $ca.kind "configMap" }}
- name: kafka-ca
  configMap:
    name: {{ $ca.name | quote }}
    items:
      - key: {{ $ca.key | quote }}
        path: ca.crt
{{- end }}
{{- end -}}
