{{/*
RECEIPTS_PUBLIC_URL: the URL the providers call this service at, as they see it. Twilio signs the
whole callback URL, so a wrong base makes every Twilio callback fail verification (refused, never
accepted); it is also the base of the callback URLs to register with each provider (NOTES.txt
prints them).
  publicUrl set                 as given
  else the Ingress is on        https://<ingress.hosts[0].host> (providers call over the internet, and
                                TLS often ends before the Ingress, at a cloud load balancer, so the
                                Ingress's own tls list says nothing either way; set publicUrl for
                                plain http, another port or a path prefix)
  else receiptProviders listed  the render fails: the chart cannot know the URL
  else                          "" (no provider: every callback answers 404 and the URL is unused;
                                the app falls back to its default)
*/}}
{{- define "receipts-api.publicUrl" -}}
{{- $v := .Values -}}
{{- if $v.publicUrl -}}
{{- $v.publicUrl -}}
{{- else if and $v.ingress.enabled (gt (len ($v.ingress.hosts | default list)) 0) -}}
{{- printf "https://%s" (first $v.ingress.hosts).host -}}
{{- else if $v.receiptProviders -}}
{{- fail (printf "%s: receiptProviders lists %s but the chart cannot know the URL they call: set publicUrl (e.g. https://receipts.example.com, the base of /providers/{provider}/events as the providers see it), or switch ingress.enabled on with its host" .Chart.Name (join ", " $v.receiptProviders)) -}}
{{- end -}}
{{- end -}}
