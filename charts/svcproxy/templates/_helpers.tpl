{{/* The chart name, overridable with nameOverride. */}}
{{- define "svcproxy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The full name of every resource: fullnameOverride, else "<release>-<name>" (just the release name when it already contains the chart name). */}}
{{- define "svcproxy.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "svcproxy.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the pods (never change them: a DaemonSet's selector is immutable). */}}
{{- define "svcproxy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "svcproxy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels on every resource. */}}
{{- define "svcproxy.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "svcproxy.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: service-proxy
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The ServiceAccount the pods run as. */}}
{{- define "svcproxy.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "svcproxy.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The image reference; the tag defaults to the chart's appVersion. */}}
{{- define "svcproxy.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The port of an IP:PORT bind address. */}}
{{- define "svcproxy.port" -}}
{{- regexReplaceAll "^.*:" . "" -}}
{{- end -}}

{{/* The KubeProxyConfiguration svcproxy loads with --config. Only fields svcproxy reads
     (src/main/java/io/svcproxy/config/KubeProxyConfigurationFields.java SUPPORTED) are written,
     so it loads without a warning. hostnameOverride comes from the --hostname-override flag. */}}
{{- define "svcproxy.kubeProxyConfiguration" -}}
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: {{ .Values.mode | quote }}
clusterCIDR: {{ .Values.config.clusterCIDR | quote }}
syncPeriod: {{ .Values.config.syncPeriod | quote }}
minSyncPeriod: {{ .Values.config.minSyncPeriod | quote }}
{{- with .Values.config.nodePortAddresses }}
nodePortAddresses:
{{- range . }}
  - {{ . | quote }}
{{- end }}
{{- else }}
nodePortAddresses: []
{{- end }}
detectLocalMode: {{ .Values.config.detectLocalMode | quote }}
detectLocal:
  bridgeInterface: {{ .Values.config.detectLocal.bridgeInterface | quote }}
  interfaceNamePrefix: {{ .Values.config.detectLocal.interfaceNamePrefix | quote }}
iptables:
  masqueradeAll: {{ .Values.config.iptables.masqueradeAll }}
  masqueradeBit: {{ .Values.config.iptables.masqueradeBit | int }}
  localhostNodePorts: {{ .Values.config.iptables.localhostNodePorts }}
{{- if eq .Values.mode "nftables" }}
nftables:
  masqueradeAll: {{ .Values.config.iptables.masqueradeAll }}
  masqueradeBit: {{ .Values.config.iptables.masqueradeBit | int }}
{{- end }}
{{- end -}}
