{{/*
Addresses and CIDRs for the NetworkPolicy's egress rules, in template arithmetic (Helm has no CIDR
functions): an address becomes its bit string (32 characters for IPv4, 128 for IPv6), and a CIDR
a/n contains an address when the first n bits agree. Used to keep the cloud metadata addresses out
of every ipBlock, whatever the values say.
*/}}

{{/*
The cloud metadata addresses, always blocked: 169.254.169.254 (AWS, GCP, Azure, OpenStack, OCI)
and fd00:ec2::254 (AWS over IPv6). Herald never needs them; a pod that reaches them can read the
node's cloud credentials.
*/}}
{{- define "herald-common.net.metadataCidrs" -}}
{{- toJson (dict "v" (list "169.254.169.254/32" "fd00:ec2::254/128")) -}}
{{- end -}}

{{/*
An IPv4 or IPv6 address as bits: {"family": 4 | 6, "bits": "0101..."} as JSON, or a failure naming
.at. Usage: (include "herald-common.net.bits" (dict "root" $ "addr" "10.0.0.1" "at" "networkPolicy...") | fromJson)
*/}}
{{- define "herald-common.net.bits" -}}
{{- $addr := .addr | toString -}}
{{- $bits := "" -}}
{{- $family := 0 -}}
{{- if regexMatch "^[0-9]{1,3}(\\.[0-9]{1,3}){3}$" $addr -}}
{{- $family = 4 -}}
{{- range splitList "." $addr -}}
{{- if gt (atoi .) 255 -}}
{{- fail (printf "%s: %s: %s is not an IPv4 address" $.root.Chart.Name $.at $addr) -}}
{{- end -}}
{{- $bits = printf "%s%08b" $bits (atoi .) -}}
{{- end -}}
{{- else if regexMatch "^[0-9A-Fa-f:.]+$" $addr -}}
{{- $family = 6 -}}
{{- $groups := list -}}
{{- $parts := splitList "::" $addr -}}
{{- if gt (len $parts) 2 -}}
{{- fail (printf "%s: %s: %s is not an IPv6 address (:: appears twice)" $.root.Chart.Name $.at $addr) -}}
{{- end -}}
{{- $halves := list -}}
{{- range $parts -}}
{{- $half := list -}}
{{- range (ternary (list) (splitList ":" .) (eq . "")) -}}
{{- if contains "." . -}}
{{- /* an embedded IPv4 address (::ffff:10.0.0.1) is two groups */ -}}
{{- $o := splitList "." . -}}
{{- if ne (len $o) 4 }}{{ fail (printf "%s: %s: %s is not an IPv6 address" $.root.Chart.Name $.at $addr) }}{{ end -}}
{{- $half = append $half (printf "%02x%02x" (atoi (index $o 0)) (atoi (index $o 1))) -}}
{{- $half = append $half (printf "%02x%02x" (atoi (index $o 2)) (atoi (index $o 3))) -}}
{{- else -}}
{{- $half = append $half . -}}
{{- end -}}
{{- end -}}
{{- $halves = append $halves $half -}}
{{- end -}}
{{- $head := index $halves 0 -}}
{{- $tail := ternary (index $halves (sub (len $halves) 1)) (list) (eq (len $halves) 2) -}}
{{- $missing := sub 8 (add (len $head) (len $tail)) -}}
{{- if or (lt $missing 0) (and (eq (len $halves) 1) (ne $missing 0)) (and (eq (len $halves) 2) (lt $missing 1)) -}}
{{- fail (printf "%s: %s: %s is not an IPv6 address (8 groups of 16 bits)" $.root.Chart.Name $.at $addr) -}}
{{- end -}}
{{- $groups = $head -}}
{{- range until (int $missing) }}{{ $groups = append $groups "0" }}{{ end -}}
{{- $groups = concat $groups $tail -}}
{{- range $groups -}}
{{- if not (regexMatch "^[0-9A-Fa-f]{1,4}$" .) -}}
{{- fail (printf "%s: %s: %s is not an IPv6 address (group %q)" $.root.Chart.Name $.at $addr .) -}}
{{- end -}}
{{- $bits = printf "%s%016b" $bits (int (printf "0x%s" .)) -}}
{{- end -}}
{{- else -}}
{{- fail (printf "%s: %s: %s is not an IPv4 or IPv6 address" .root.Chart.Name .at $addr) -}}
{{- end -}}
{{- toJson (dict "family" $family "bits" $bits) -}}
{{- end -}}

{{/*
A CIDR as {"family", "bits", "prefix"} (JSON); fails naming .at when it is not one.
Usage: (include "herald-common.net.cidr" (dict "root" $ "cidr" "10.0.0.0/8" "at" "...") | fromJson)
*/}}
{{- define "herald-common.net.cidr" -}}
{{- $cidr := .cidr | toString -}}
{{- $parts := splitList "/" $cidr -}}
{{- if or (ne (len $parts) 2) (not (regexMatch "^[0-9]{1,3}$" (index $parts 1 | default "x"))) -}}
{{- fail (printf "%s: %s: %s is not a CIDR (address/prefix length)" .root.Chart.Name .at $cidr) -}}
{{- end -}}
{{- $a := include "herald-common.net.bits" (dict "root" .root "addr" (index $parts 0) "at" .at) | fromJson -}}
{{- $prefix := atoi (index $parts 1) -}}
{{- if gt $prefix (len $a.bits) -}}
{{- fail (printf "%s: %s: %s has a prefix longer than %d bits" .root.Chart.Name .at $cidr (len $a.bits)) -}}
{{- end -}}
{{- toJson (dict "family" $a.family "bits" $a.bits "prefix" $prefix) -}}
{{- end -}}

{{/* "true" when CIDR .outer contains CIDR .inner entirely (same family, shorter or equal prefix, same leading bits), else "". */}}
{{- define "herald-common.net.covers" -}}
{{- $o := include "herald-common.net.cidr" (dict "root" .root "cidr" .outer "at" .at) | fromJson -}}
{{- $i := include "herald-common.net.cidr" (dict "root" .root "cidr" .inner "at" .at) | fromJson -}}
{{- if eq (int $o.family) (int $i.family) -}}
{{- if le (int $o.prefix) (int $i.prefix) -}}
{{- if eq (substr 0 (int $o.prefix) $o.bits) (substr 0 (int $o.prefix) $i.bits) -}}true{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
NetworkPolicyPeer entries with the metadata addresses kept out: an ipBlock whose cidr contains one
gets it in except (unless an except entry already covers it); an ipBlock that lies inside one fails
the render (it would open nothing but the metadata address). Selector peers are kept as they are
(a pod is never at a metadata address). Returns {"v": [peers]} as JSON.
Usage: (include "herald-common.net.peers" (dict "root" $ "peers" .to "at" "networkPolicy.egress.kafka.to") | fromJson).v
*/}}
{{- define "herald-common.net.peers" -}}
{{- $root := .root -}}
{{- $at := .at -}}
{{- $metadata := (include "herald-common.net.metadataCidrs" . | fromJson).v -}}
{{- $out := list -}}
{{- range $i, $peer := .peers | default list -}}
{{- $p := deepCopy $peer -}}
{{- $where := printf "%s[%d].ipBlock" $at $i -}}
{{- with $p.ipBlock -}}
{{- $block := . -}}
{{- $except := .except | default list -}}
{{- range $m := $metadata -}}
{{- if include "herald-common.net.covers" (dict "root" $root "outer" $m "inner" $block.cidr "at" $where) -}}
{{- fail (printf "%s: %s: cidr %s is the cloud metadata address %s, which the charts always block (Herald never needs it)" $root.Chart.Name $where $block.cidr $m) -}}
{{- end -}}
{{- if include "herald-common.net.covers" (dict "root" $root "outer" $block.cidr "inner" $m "at" $where) -}}
{{- $covered := false -}}
{{- range $e := $except -}}
{{- if include "herald-common.net.covers" (dict "root" $root "outer" $e "inner" $m "at" (printf "%s.except" $where)) }}{{ $covered = true }}{{ end -}}
{{- end -}}
{{- if not $covered }}{{ $except = append $except $m }}{{ end -}}
{{- end -}}
{{- end -}}
{{- if $except }}{{ $_ := set $block "except" $except }}{{ end -}}
{{- end -}}
{{- $out = append $out $p -}}
{{- end -}}
{{- toJson (dict "v" $out) -}}
{{- end -}}

{{/*
"Any address but the metadata ones", as NetworkPolicyPeer entries: every pod of the cluster (some
CNIs, Cilium among them, never match pod addresses with ipBlocks) and every IPv4 and IPv6 address
outside the metadata addresses. Returns {"v": [peers]} as JSON.
*/}}
{{- define "herald-common.net.anywhere" -}}
{{- $peers := list (dict "namespaceSelector" dict) (dict "ipBlock" (dict "cidr" "0.0.0.0/0")) (dict "ipBlock" (dict "cidr" "::/0")) -}}
{{- include "herald-common.net.peers" (dict "root" .root "peers" $peers "at" "(any address)") -}}
{{- end -}}

{{/*
The TCP port of a URL: its explicit port, else the scheme's (http 80, https 443, smtp 587, smtps 465).
Usage: include "herald-common.net.urlPort" (dict "root" $ "url" .Values.smsProvider.url "at" "smsProvider.url")
*/}}
{{- define "herald-common.net.urlPort" -}}
{{- $u := urlParse (.url | toString) -}}
{{- $explicit := regexFind ":[0-9]+$" $u.host | trimPrefix ":" -}}
{{- $defaults := dict "http" "80" "https" "443" "smtp" "587" "smtps" "465" -}}
{{- $port := $explicit | default (get $defaults $u.scheme) -}}
{{- if not $port -}}
{{- fail (printf "%s: %s: no port in %s and none known for scheme %q" .root.Chart.Name .at .url $u.scheme) -}}
{{- end -}}
{{- $port -}}
{{- end -}}

{{/*
"The public internet", as NetworkPolicyPeer entries, for destinations any API client chooses (the
webhook-worker's endpoints): every IPv4 and IPv6 address except the ranges that are never a
public unicast target, and no selector peer (no pod of the cluster). What is left out follows
what the apps refuse as webhook targets (libs/webhooks/src/addresses.ts): this network, loopback,
RFC 1918 (where pod, service and node networks usually are), CGNAT (100.64.0.0/10, where some
pod networks and Alibaba's metadata address are), link-local (169.254.0.0/16, with
169.254.169.254), the IETF protocol assignments, benchmarking, multicast and reserved ranges; for
IPv6, unspecified and loopback, IPv4-mapped, NAT64, discard, unique-local (fc00::/7, with
fd00:ec2::254), link-local, documentation and multicast. A cluster whose pods or nodes have public
addresses must list its own ranges (egress.webhooks.to with an except).
Returns {"v": [peers]} as JSON.
*/}}
{{- define "herald-common.net.public" -}}
{{- $v4 := list "0.0.0.0/8" "10.0.0.0/8" "100.64.0.0/10" "127.0.0.0/8" "169.254.0.0/16" "172.16.0.0/12" "192.0.0.0/24" "192.0.2.0/24" "192.168.0.0/16" "198.18.0.0/15" "198.51.100.0/24" "203.0.113.0/24" "224.0.0.0/4" "240.0.0.0/4" -}}
{{- $v6 := list "::/127" "::ffff:0:0/96" "64:ff9b::/96" "64:ff9b:1::/48" "100::/64" "2001:db8::/32" "fc00::/7" "fe80::/10" "ff00::/8" -}}
{{- $peers := list (dict "ipBlock" (dict "cidr" "0.0.0.0/0" "except" $v4)) (dict "ipBlock" (dict "cidr" "::/0" "except" $v6)) -}}
{{- include "herald-common.net.peers" (dict "root" .root "peers" $peers "at" "(the public internet)") -}}
{{- end -}}
