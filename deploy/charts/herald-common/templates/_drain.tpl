{{/*
The drain. On SIGTERM every Herald process stops taking work, finishes what it has, closes its
connections and exits within SHUTDOWN_GRACE_MS (drain.shutdownGraceMs). Before that signal, the
preStop sleep (drain.preStopSleepSeconds) lets endpoints and load balancers stop sending new
requests. terminationGracePeriodSeconds must cover both, or the kubelet kills the process in the
middle of its drain: by default it is preStop + ceil(grace) + drain.marginSeconds, and a value
set by hand that is not longer than preStop + grace fails the render.
*/}}

{{- define "herald-common.drain.graceSeconds" -}}
{{- div (add (int64 .Values.drain.shutdownGraceMs) 999) 1000 -}}
{{- end -}}

{{- define "herald-common.drain.terminationGracePeriodSeconds" -}}
{{- $needed := add (int64 .Values.drain.preStopSleepSeconds) (int64 (include "herald-common.drain.graceSeconds" .)) -}}
{{- if not (kindIs "invalid" .Values.drain.terminationGracePeriodSeconds) -}}
{{- $set := int64 .Values.drain.terminationGracePeriodSeconds -}}
{{- if le $set $needed -}}
{{- fail (printf "%s: drain.terminationGracePeriodSeconds (%d) must be longer than drain.preStopSleepSeconds + drain.shutdownGraceMs (%d s), or the kubelet kills the process in the middle of its drain" .Chart.Name $set $needed) -}}
{{- end -}}
{{- $set -}}
{{- else -}}
{{- add $needed (int64 .Values.drain.marginSeconds) -}}
{{- end -}}
{{- end -}}

{{- define "herald-common.drain.lifecycle" -}}
{{- if gt (int64 .Values.drain.preStopSleepSeconds) 0 }}
lifecycle:
  preStop:
    sleep:
      seconds: {{ int64 .Values.drain.preStopSleepSeconds }}
{{- end }}
{{- end -}}
