{{/*
Helpers shared by the operator and dispatcher templates. Blocks that both Deployments carry
(security contexts, database and encryption settings, probes, scheduling) live here once, so the
two components cannot drift apart.

Component helpers take a dict: (dict "root" $ "component" "operator").
*/}}

{{- define "webhooks.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped prefix; the release name alone when it already contains the chart name. */}}
{{- define "webhooks.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Leaves room for the longest suffix ("-operator-metrics") within the 63-character limit. */}}
{{- define "webhooks.componentName" -}}
{{- printf "%s-%s" (include "webhooks.fullname" .root | trunc 46 | trimSuffix "-") .component }}
{{- end }}

{{- define "webhooks.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "webhooks.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: auditlog-webhooks
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "webhooks.selectorLabels" -}}
app.kubernetes.io/name: {{ include "webhooks.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "webhooks.serviceAccountName" -}}
{{- $values := index .root.Values .component }}
{{- if $values.serviceAccount.create }}
{{- default (include "webhooks.componentName" .) $values.serviceAccount.name }}
{{- else }}
{{- required (printf "%s.serviceAccount.name is required when %s.serviceAccount.create is false" .component .component) $values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "webhooks.image" -}}
{{- $image := (index .root.Values .component).image }}
{{- if $image.digest }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $image.repository (default .root.Chart.AppVersion $image.tag) }}
{{- end }}
{{- end }}

{{- define "webhooks.encryptionSecretName" -}}
{{- default (printf "%s-encryption" (include "webhooks.fullname" .)) .Values.encryption.existingSecret }}
{{- end }}

{{- define "webhooks.ingestSecretName" -}}
{{- default (printf "%s-ingest" (include "webhooks.fullname" .)) .Values.ingest.existingSecret }}
{{- end }}

{{/* The Deployment fields both components share, from the pod spec's securityContext down. */}}
{{- define "webhooks.podSpecCommon" -}}
{{- $values := index .root.Values .component }}
serviceAccountName: {{ include "webhooks.serviceAccountName" . }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with $values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
topologySpreadConstraints:
{{- if $values.topologySpreadConstraints }}
  {{- toYaml $values.topologySpreadConstraints | nindent 2 }}
{{- else }}
{{- range list "kubernetes.io/hostname" "topology.kubernetes.io/zone" }}
  - maxSkew: 1
    topologyKey: {{ . }}
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "webhooks.selectorLabels" $ | nindent 8 }}
{{- end }}
{{- end }}
{{- end }}

{{/* Container fields both components share: image, security context, resources. */}}
{{- define "webhooks.containerCommon" -}}
{{- $values := index .root.Values .component }}
image: {{ include "webhooks.image" . }}
imagePullPolicy: {{ $values.image.pullPolicy }}
securityContext:
  {{- toYaml .root.Values.containerSecurityContext | nindent 2 }}
resources:
  {{- toYaml $values.resources | nindent 2 }}
{{- end }}

{{/* Settings both processes read: PostgreSQL, the route-secret encryption keys, logging. */}}
{{- define "webhooks.commonEnv" -}}
- name: Database__ConnectionString
  valueFrom:
    secretKeyRef:
      name: {{ required "postgresql.existingSecret is required: the name of a Secret holding the PostgreSQL connection string" .Values.postgresql.existingSecret }}
      key: {{ .Values.postgresql.secretKey }}
- name: Encryption__KeysPath
  value: /etc/webhooks/encryption
- name: Encryption__ActiveKeyId
  value: {{ .Values.encryption.activeKeyId | quote }}
- name: Logging__LogLevel__Default
  value: {{ .Values.logging.level | quote }}
- name: Logging__Console__FormatterName
  value: {{ .Values.logging.format | quote }}
{{- end }}

{{- define "webhooks.commonVolumeMounts" -}}
- name: encryption-keys
  mountPath: /etc/webhooks/encryption
  readOnly: true
# The root filesystem is read-only; .NET needs a writable temp directory.
- name: tmp
  mountPath: /tmp
{{- end }}

{{- define "webhooks.commonVolumes" -}}
- name: encryption-keys
  secret:
    secretName: {{ include "webhooks.encryptionSecretName" . }}
    defaultMode: 0440
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end }}

{{/*
Probes on the component's named port. The startup probe gives a first start time to apply
database migrations before liveness may restart the pod.
*/}}
{{- define "webhooks.probes" -}}
startupProbe:
  httpGet:
    path: /healthz
    port: {{ . }}
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet:
    path: /healthz
    port: {{ . }}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: {{ . }}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end }}

{{/* Egress every component needs: DNS and PostgreSQL. */}}
{{- define "webhooks.networkPolicy.commonEgress" -}}
- ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
  {{- with .Values.networkPolicy.dns.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
- ports:
    - protocol: TCP
      port: {{ .Values.networkPolicy.postgresql.port }}
  {{- with .Values.networkPolicy.postgresql.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/*
What the operator may do with Webhooks, their Secrets and Events: the rules of
config/rbac/role.yaml (files/operator-clusterrole.yaml links to it), so kustomize and the chart
grant exactly the same. Bound cluster-wide, or in each watched namespace when
operator.watchNamespaces is set.
*/}}
{{- define "webhooks.operator.rules" -}}
{{- $role := .Files.Get "files/operator-clusterrole.yaml" | fromYaml }}
{{- if not $role.rules }}
{{- fail "files/operator-clusterrole.yaml has no rules: is the symlink to config/rbac/role.yaml intact?" }}
{{- end }}
{{- toYaml $role.rules }}
{{- end }}
