{{/*
The webhook variables the ingest-api and the webhook-worker share (libs/webhooks/src/config.ts),
from the webhooks values block with global.herald.webhooks precedence, so that in one release both
apps get the same key (the one that seals the signing secrets is the one that opens them) and the
same target rules.

WEBHOOK_SECRETS_KEY only ever comes from an existing Secret (webhooks.secretsKey), as a
secretKeyRef that is never optional: until the Secret exists the pods do not start. With "required"
(the webhook-worker, which cannot sign without it) an empty webhooks.secretsKey.existingSecret fails
the render; without it (the ingest-api) it leaves the key out, and /v1/webhooks answers 503.
Usage: include "herald-common.webhooks.env" (dict "root" $ "required" true)
*/}}
{{- define "herald-common.webhooks.env" -}}
{{- $root := .root -}}
{{- $ref := include "herald-common.webhooks.secretsKey" (dict "root" $root "required" .required) | fromJson -}}
{{- if $ref.name }}
- name: WEBHOOK_SECRETS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $ref.name | quote }}
      key: {{ $ref.key | quote }}
{{- end }}
- name: WEBHOOK_ALLOW_PRIVATE_TARGETS
  value: {{ include "herald-common.webhooks.allowPrivateTargets" $root | quote }}
{{- end -}}

{{/*
The Secret reference of WEBHOOK_SECRETS_KEY as {"name", "key", "at"} (JSON); name is empty when no
Secret is named (a failure instead with "required").
*/}}
{{- define "herald-common.webhooks.secretsKey" -}}
{{- $root := .root -}}
{{- $name := include "herald-common.setting" (dict "root" $root "path" (list "webhooks" "secretsKey" "existingSecret")) | fromJson -}}
{{- $key := (include "herald-common.setting" (dict "root" $root "path" (list "webhooks" "secretsKey" "existingSecretKey")) | fromJson).v -}}
{{- if and .required (not $name.v) -}}
{{- fail (printf "%s: webhooks.secretsKey.existingSecret is empty, and the %s does not run without WEBHOOK_SECRETS_KEY (it opens the endpoints' signing secrets with it): create a Secret holding it (kubectl create secret generic herald-webhooks --from-literal=WEBHOOK_SECRETS_KEY=\"$(openssl rand -base64 32)\"), the same one the ingest-api uses, and name it in webhooks.secretsKey.existingSecret (or global.herald.webhooks.secretsKey.existingSecret); without webhooks, leave this app out (webhook-worker.enabled=false in the herald chart)" $root.Chart.Name $root.Chart.Name) -}}
{{- end -}}
{{- if and $name.v (not $key) -}}
{{- fail (printf "%s: webhooks.secretsKey.existingSecretKey is empty: name the key of Secret %s that holds WEBHOOK_SECRETS_KEY" $root.Chart.Name $name.v) -}}
{{- end -}}
{{- toJson (dict "name" ($name.v | default "") "key" ($key | default "") "at" $name.at) -}}
{{- end -}}

{{/* WEBHOOK_ALLOW_PRIVATE_TARGETS as "true" or "false". */}}
{{- define "herald-common.webhooks.allowPrivateTargets" -}}
{{- $v := (include "herald-common.setting" (dict "root" . "path" (list "webhooks" "allowPrivateTargets")) | fromJson).v -}}
{{- ternary "true" "false" (and (kindIs "bool" $v) $v) -}}
{{- end -}}
