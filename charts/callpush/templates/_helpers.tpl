{{/* The chart's name, or nameOverride. */}}
{{- define "callpush.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: resource names start with it. */}}
{{- define "callpush.fullname" -}}
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

{{- define "callpush.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "callpush.labels" -}}
helm.sh/chart: {{ include "callpush.chart" . }}
{{ include "callpush.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "callpush.selectorLabels" -}}
app.kubernetes.io/name: {{ include "callpush.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "callpush.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "callpush.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "callpush.image" -}}
{{- $repository := required "image.repository is required: the CallPush image built from the Dockerfile and pushed to your registry" .Values.image.repository }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret the pods read: the operator's existingSecret or the chart's own. */}}
{{- define "callpush.secretName" -}}
{{- default (include "callpush.fullname" .) .Values.existingSecret }}
{{- end }}

{{/* Fails the install when the chart's own Secret would lack what auth.mode needs. */}}
{{- define "callpush.validate" -}}
{{- if not .Values.existingSecret }}
{{- $_ := required "database.connectionString is required (or existingSecret with a ConnectionStrings__CallPush key)" .Values.database.connectionString }}
{{- if eq .Values.auth.mode "Basic" }}
{{- $_ := required "auth.basic.username is required when auth.mode is Basic" .Values.auth.basic.username }}
{{- $_ := required "auth.basic.password is required when auth.mode is Basic" .Values.auth.basic.password }}
{{- else if eq .Values.auth.mode "OAuth2" }}
{{- $_ := required "auth.oauth2.clientId is required when auth.mode is OAuth2" .Values.auth.oauth2.clientId }}
{{- $_ := required "auth.oauth2.clientSecret is required when auth.mode is OAuth2" .Values.auth.oauth2.clientSecret }}
{{- end }}
{{- end }}
{{- if eq .Values.recordings.storage "S3" }}
{{- $_ := required "recordings.s3.bucket is required when recordings.storage is S3" .Values.recordings.s3.bucket }}
{{- end }}
{{- if and .Values.ingress.enabled (not .Values.ingress.host) }}
{{- fail "ingress.host is required when ingress.enabled is true: it is the public host of the push URL" }}
{{- end }}
{{- end }}

{{/* The pod spec fields the Deployment and the migration Job share. */}}
{{- define "callpush.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
