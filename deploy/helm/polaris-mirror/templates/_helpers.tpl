{{- define "polaris-mirror.labels" -}}
app.kubernetes.io/name: polaris-mirror
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
