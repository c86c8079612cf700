{{/*
A NetworkPolicy for the pods' one port ("http": the API, or health and metrics for the bridge and
the workers), and for everything they open.

Ingress: from anywhere when networkPolicy.allowExternal is true (the ingest-api's default: it is
the public intake), else only from networkPolicy.ingressFrom and networkPolicy.metricsFrom peers
(e.g. the ingress controller's and Prometheus' namespaces). Kubelet probes are not subject to
NetworkPolicy.

Egress, restricted by default (networkPolicy.egress.restricted) to what the service needs, one
rule each, in this order:
  dns        UDP and TCP 53
  kafka      TCP egress.kafka.ports plus the ports of kafka.brokers (with global.herald precedence)
  redis      TCP egress.redis.ports
  postgres   TCP egress.postgres.ports
  providers  TCP egress.providers.ports plus the ports of the URLs the chart passes as
             "endpoints" (e.g. the sms-worker's smsProvider.url)
  webhooks   TCP egress.webhooks.ports (the customers' webhook endpoints)
  extra      egress.extra, NetworkPolicyEgressRule entries as given
A chart has the blocks its values.yaml has (a service that talks only to Kafka has only kafka:).
global.herald.networkPolicy.egress.<block>.ports and .to, when not empty, take precedence (the
umbrella says once where Kafka, Redis, PostgreSQL and DNS are).
Each block's `to` lists NetworkPolicyPeer entries; empty, any address, except for the blocks the
chart names in "public": there an empty `to` means the public internet only (_net.tpl's
herald-common.net.public: no pods, no private, loopback, link-local, CGNAT or unique-local
ranges), for destinations that any API client chooses. restricted: false allows any
destination on any port. Whatever the values, the cloud metadata addresses (_net.tpl) stay blocked:
"any address" is every pod plus 0.0.0.0/0 and ::/0 with them in except, every ipBlock given in
values that contains one gets it in except, and an ipBlock inside one fails the render.
Usage: include "herald-common.networkPolicy" (dict "root" $ "component" "worker" "endpoints" (dict "providers" (list .Values.smsProvider.url)))
       include "herald-common.networkPolicy" (dict "root" $ "component" "worker" "public" (list "webhooks"))
*/}}
{{- define "herald-common.networkPolicy" -}}
{{- $root := .root -}}
{{- $n := $root.Values.networkPolicy -}}
{{- if $n.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "herald-common.names.fullname" $root }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "herald-common.labels.standard" . | nindent 4 }}
  {{- with include "herald-common.labels.annotations" (dict "root" $root) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
spec:
  podSelector:
    matchLabels:
      {{- include "herald-common.labels.selector" $root | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    - ports:
        - port: http
          protocol: TCP
      {{- if not $n.allowExternal }}
      {{- $from := concat ($n.ingressFrom | default list) ($n.metricsFrom | default list) }}
      from:
        {{- if $from }}
        {{- toYaml $from | nindent 8 }}
        {{- else }}
        - podSelector:
            matchLabels:
              {{- include "herald-common.labels.selector" $root | nindent 14 }}
        {{- end }}
      {{- end }}
  egress:
    {{- toYaml (include "herald-common.networkPolicy.egress" . | fromJson).v | nindent 4 }}
{{- end }}
{{- end -}}

{{/* The NAMES of the egress blocks, in the order their rules are rendered. */}}
{{- define "herald-common.networkPolicy.destinations" -}}
{{- toJson (dict "v" (list "kafka" "redis" "postgres" "providers" "webhooks")) -}}
{{- end -}}

{{/* The egress rules as {"v": [NetworkPolicyEgressRule]} (JSON). */}}
{{- define "herald-common.networkPolicy.egress" -}}
{{- $root := .root -}}
{{- $e := $root.Values.networkPolicy.egress | default dict -}}
{{- $anywhere := (include "herald-common.net.anywhere" (dict "root" $root) | fromJson).v -}}
{{- $rules := list -}}
{{- if not $e.restricted -}}
{{- $rules = append $rules (dict "to" $anywhere) -}}
{{- else -}}
{{- $dns := include "herald-common.setting" (dict "root" $root "path" (list "networkPolicy" "egress" "dns" "to")) | fromJson -}}
{{- $rules = append $rules (dict "to" (include "herald-common.networkPolicy.to" (dict "root" $root "to" $dns.v "at" $dns.at) | fromJson).v "ports" (list (dict "port" 53 "protocol" "UDP") (dict "port" 53 "protocol" "TCP"))) -}}
{{- $derived := dict "kafka" (list) -}}
{{- range (include "herald-common.setting" (dict "root" $root "path" (list "kafka" "brokers")) | fromJson).v -}}
{{- $_ := set $derived "kafka" (append $derived.kafka (regexFind ":[0-9]+$" . | trimPrefix ":")) -}}
{{- end -}}
{{- range $name, $urls := .endpoints | default dict -}}
{{- $ports := get $derived $name | default (list) -}}
{{- range $urls }}{{ $ports = append $ports (include "herald-common.net.urlPort" (dict "root" $root "url" . "at" (printf "the %s endpoint" $name))) }}{{ end -}}
{{- $_ := set $derived $name $ports -}}
{{- end -}}
{{- range $name := (include "herald-common.networkPolicy.destinations" . | fromJson).v -}}
{{- if hasKey $e $name -}}
{{- $givenPorts := include "herald-common.setting" (dict "root" $root "path" (list "networkPolicy" "egress" $name "ports")) | fromJson -}}
{{- $to := include "herald-common.setting" (dict "root" $root "path" (list "networkPolicy" "egress" $name "to")) | fromJson -}}
{{- $padded := list -}}
{{- range concat ($givenPorts.v | default list) (get $derived $name | default (list)) -}}
{{- $padded = append $padded (printf "%05d" (int .)) -}}
{{- end -}}
{{- if not $padded -}}
{{- fail (printf "%s: %s is empty: list the TCP ports (an egress rule without ports would open every port)" $root.Chart.Name $givenPorts.at) -}}
{{- end -}}
{{- $ports := list -}}
{{- range $padded | uniq | sortAlpha }}{{ $ports = append $ports (dict "port" (atoi .) "protocol" "TCP") }}{{ end -}}
{{- $rules = append $rules (dict "to" (include "herald-common.networkPolicy.to" (dict "root" $root "to" $to.v "at" $to.at "public" (has $name ($.public | default list))) | fromJson).v "ports" $ports) -}}
{{- end -}}
{{- end -}}
{{- range $i, $rule := $e.extra | default list -}}
{{- $r := deepCopy $rule -}}
{{- $_ := set $r "to" (include "herald-common.networkPolicy.to" (dict "root" $root "to" $r.to "at" (printf "networkPolicy.egress.extra[%d].to" $i)) | fromJson).v -}}
{{- $rules = append $rules $r -}}
{{- end -}}
{{- end -}}
{{- toJson (dict "v" $rules) -}}
{{- end -}}

{{/* The peers of one rule: as given with the metadata addresses kept out, or when none are given any address (the public internet for a "public" block). */}}
{{- define "herald-common.networkPolicy.to" -}}
{{- if .to -}}
{{- include "herald-common.net.peers" (dict "root" .root "peers" .to "at" .at) -}}
{{- else if .public -}}
{{- include "herald-common.net.public" (dict "root" .root) -}}
{{- else -}}
{{- include "herald-common.net.anywhere" (dict "root" .root) -}}
{{- end -}}
{{- end -}}

{{/* For NOTES.txt: a warning when the chart renders no NetworkPolicy at all, else nothing. */}}
{{- define "herald-common.networkPolicy.notes" -}}
{{- if not .Values.networkPolicy.enabled }}
WARNING: networkPolicy.enabled is false: no NetworkPolicy limits what these pods reach, the cloud
metadata addresses (169.254.169.254, fd00:ec2::254) included.
{{- end }}
{{- end -}}
