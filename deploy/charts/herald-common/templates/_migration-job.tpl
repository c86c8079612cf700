{{/*
The database migrations as a Helm hook Job: run before the release's pods are installed or
upgraded (pre-install, pre-upgrade), never in an app's entrypoint. The image (herald/migrate)
applies libs/tracking/prisma/migrations and exits; a failed Job fails the install or upgrade
before any pod runs against a schema it does not expect.

A hook runs before the release's other resources exist, so the Job uses nothing the release
creates: no chart ServiceAccount (migrations.serviceAccountName, default: the namespace's
default account, with no token mounted), no ConfigMap; DATABASE_URL comes from the existing
Secret. The previous Job is deleted when the next one is created and when one succeeds; a failed
one stays for `kubectl logs`.
Usage: include "herald-common.migrationJob" (dict "root" $)
*/}}
{{- define "herald-common.migrationJob" -}}
{{- $root := .root -}}
{{- $m := $root.Values.migrations -}}
{{- if $m.enabled }}
{{- $ctx := dict "root" $root "component" "migrations" "image" $m.image }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "herald-common.names.suffixed" (dict "root" $root "suffix" "migrate") }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "herald-common.labels.standard" $ctx | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-10"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
    {{- with $root.Values.commonAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  backoffLimit: {{ $m.backoffLimit }}
  activeDeadlineSeconds: {{ $m.activeDeadlineSeconds }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ include "herald-common.names.name" $root }}-migrate
        app.kubernetes.io/instance: {{ $root.Release.Name }}
        app.kubernetes.io/component: migrations
        app.kubernetes.io/part-of: herald
      {{- with $m.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      restartPolicy: Never
      {{- with $m.serviceAccountName }}
      serviceAccountName: {{ . }}
      {{- end }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      {{- with include "herald-common.images.pullSecrets" $root | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      securityContext:
        {{- include "herald-common.security.pod" $root | nindent 8 }}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: migrate
          image: {{ include "herald-common.images.image" (dict "root" $root "image" $m.image) | quote }}
          imagePullPolicy: {{ include "herald-common.images.pullPolicy" (dict "root" $root "image" $m.image) }}
          {{- with $m.args }}
          args:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          env:
            {{- include "herald-common.secretEnv" (dict "root" $root "name" "DATABASE_URL" "path" (list "database")) | nindent 12 }}
            {{- with $m.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          resources:
            {{- toYaml $m.resources | nindent 12 }}
          securityContext:
            {{- include "herald-common.security.container" $root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $root.Values.tmpSizeLimit | quote }}
{{- end }}
{{- end -}}
