/**
 * The microservice golden path: validated parameters → a production-ready skeleton
 * (catalog-info.yaml, non-root Dockerfile, Helm chart with HPA, probes, resources and
 * securityContext, CI workflow, Prometheus alert rules). Every user string reaches a YAML file
 * through the YAML serialiser, never by string templating, and the name is kebab-case by schema.
 */
import { stringify } from 'yaml';
import * as z from 'zod';
import { API_VERSION, normalizeRef } from './entity.ts';
import { placeholderRunbookUrl } from './runbook.ts';
import type { TarEntry } from './tar.ts';
import { applicationSources } from './golden-path-sources.ts';
import { ChartRef, DnsLabel, Namespace, Strategy } from '../deploy/request-schemas.ts';

/** `[registry[:port]/]path:tag`: a tag is required (a moving `latest` is not a deploy), no digest, nothing helm could read as a flag. */
const IMAGE_REF =
  /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Deploy the new service right away, through the deploy workflow, to the clusters of one environment. */
export const GoldenPathDeploy = z
  .object({
    image: z.string().max(255).regex(IMAGE_REF, 'must be an image reference with a tag, such as registry.example.com/team/checkout-service:0.1.0'),
    environment: DnsLabel.default('staging'),
    /** Defaults to the service's name. */
    namespace: Namespace.optional(),
    /** Defaults to the platform's golden chart (FLEETOPS_GOLDEN_CHART_*): the same templates as the skeleton's chart. */
    chart: ChartRef.optional(),
    /** As in POST /v1/deployments (rollout timeout, verify window). */
    strategy: Strategy.optional(),
  })
  .strict();

export const FRAMEWORKS = {
  typescript: ['express', 'fastify', 'nestjs'],
  javascript: ['express', 'fastify'],
  python: ['fastapi', 'flask', 'django'],
  go: ['gin', 'echo', 'chi', 'net-http'],
  java: ['spring-boot', 'quarkus'],
} as const;
export type Language = keyof typeof FRAMEWORKS;

const LANGUAGES = Object.keys(FRAMEWORKS) as [Language, ...Language[]];
const ALL_FRAMEWORKS = [...new Set(Object.values(FRAMEWORKS).flat())] as [string, ...string[]];

export const MicroserviceParams = z
  .object({
    name: z
      .string()
      .min(2)
      .max(40)
      .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'must be kebab-case: lowercase letters and digits separated by single dashes, starting with a letter'),
    owner: z
      .string()
      .min(1)
      .max(200)
      .refine((v) => normalizeRef(v, { kind: 'group' }) !== undefined, 'must be an entity reference such as `group:default/team-payments` or `team-payments`'),
    description: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .regex(/^[^\p{Cc}]*$/u, 'must be one line without control characters'),
    language: z.enum(LANGUAGES),
    framework: z.enum(ALL_FRAMEWORKS),
    database: z.enum(['none', 'postgresql', 'mysql', 'mongodb', 'redis', 'dynamodb']).default('none'),
    replicas: z.int().min(1).max(50).default(2),
    cpu: z
      .string()
      .regex(/^([1-9][0-9]{0,4}m|[1-9][0-9]?(\.[0-9]{1,3})?|0\.[0-9]{1,3})$/, 'must be a CPU quantity such as 250m or 1')
      .default('250m'),
    memory: z
      .string()
      .regex(/^[1-9][0-9]{0,5}(Mi|Gi)$/, 'must be a memory quantity such as 256Mi or 1Gi')
      .default('256Mi'),
    system: z
      .string()
      .max(200)
      .refine((v) => normalizeRef(v, { kind: 'system' }) !== undefined, 'must be an entity reference')
      .optional(),
    /** Also store the generated catalog-info.yaml in the catalog. */
    register: z.boolean().default(false),
    deploy: GoldenPathDeploy.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const allowed: readonly string[] = FRAMEWORKS[value.language];
    if (!allowed.includes(value.framework)) {
      ctx.addIssue({ code: 'custom', path: ['framework'], message: `must be one of ${allowed.join(', ')} for ${value.language}` });
    }
  })
  .meta({ id: 'GoldenPathMicroservice' });

export type MicroserviceInput = z.output<typeof MicroserviceParams>;

const PORT = 8080;
const IMAGES: Record<Language, { build: string; run: string }> = {
  typescript: { build: 'node:22-bookworm-slim', run: 'gcr.io/distroless/nodejs22-debian12:nonroot' },
  javascript: { build: 'node:22-bookworm-slim', run: 'gcr.io/distroless/nodejs22-debian12:nonroot' },
  python: { build: 'python:3.12-slim', run: 'python:3.12-slim' },
  go: { build: 'golang:1.23', run: 'gcr.io/distroless/static-debian12:nonroot' },
  java: { build: 'maven:3.9-eclipse-temurin-21', run: 'eclipse-temurin:21-jre' },
};

/** The image's non-root user: distroless `nonroot` (65532), or the user the Dockerfile creates (10001). */
const UID: Record<Language, number> = { typescript: 65532, javascript: 65532, go: 65532, python: 10001, java: 10001 };

/** Multiplies a CPU or memory quantity (requests → limits). */
function scale(quantity: string, factor: number): string {
  const cpu = /^(\d+)m$/.exec(quantity);
  if (cpu) return `${Number(cpu[1]) * factor}m`;
  const mem = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (mem) return `${Number(mem[1]) * factor}${mem[2]}`;
  return String(Number((Number(quantity) * factor).toFixed(3)));
}

function dockerfile(p: MicroserviceInput): string {
  const { build, run } = IMAGES[p.language];
  const lines: Record<Language, string[]> = {
    typescript: [
      `FROM ${build} AS build`,
      'WORKDIR /app',
      'COPY package.json package-lock.json ./',
      'RUN npm ci',
      'COPY . .',
      'RUN npm run build && npm prune --omit=dev',
      '',
      `FROM ${run}`,
      'WORKDIR /app',
      'COPY --from=build --chown=65532:65532 /app/node_modules ./node_modules',
      'COPY --from=build --chown=65532:65532 /app/dist ./dist',
      'USER 65532:65532',
      `EXPOSE ${PORT}`,
      'CMD ["dist/main.js"]',
    ],
    javascript: [
      `FROM ${build} AS build`,
      'WORKDIR /app',
      'COPY package.json package-lock.json ./',
      'RUN npm ci --omit=dev',
      'COPY src ./src',
      '',
      `FROM ${run}`,
      'WORKDIR /app',
      'COPY --from=build --chown=65532:65532 /app ./',
      'USER 65532:65532',
      `EXPOSE ${PORT}`,
      'CMD ["src/main.js"]',
    ],
    python: [
      `FROM ${build}`,
      'ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1',
      'RUN groupadd --gid 10001 app && useradd --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app',
      'WORKDIR /app',
      'COPY requirements.txt ./',
      'RUN pip install --no-cache-dir -r requirements.txt',
      'COPY --chown=10001:10001 app ./app',
      'USER 10001:10001',
      `EXPOSE ${PORT}`,
      p.framework === 'fastapi'
        ? `CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "${PORT}"]`
        : `CMD ["gunicorn", "--bind", "0.0.0.0:${PORT}", "app.main:app"]`,
    ],
    go: [
      `FROM ${build} AS build`,
      'WORKDIR /src',
      // go.sum appears with the first `go mod tidy`; until it is committed, tidy fills it in the build.
      'COPY go.mod go.sum* ./',
      'RUN go mod download',
      'COPY . .',
      'RUN go mod tidy && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/service ./cmd/service',
      '',
      `FROM ${run}`,
      'COPY --from=build /out/service /service',
      'USER 65532:65532',
      `EXPOSE ${PORT}`,
      'ENTRYPOINT ["/service"]',
    ],
    java: [
      `FROM ${build} AS build`,
      'WORKDIR /src',
      'COPY pom.xml ./',
      'RUN mvn -B -q dependency:go-offline',
      'COPY src ./src',
      'RUN mvn -B -q package -DskipTests',
      '',
      `FROM ${run}`,
      'RUN groupadd --gid 10001 app && useradd --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app',
      'WORKDIR /app',
      'COPY --from=build --chown=10001:10001 /src/target/*.jar app.jar',
      'USER 10001:10001',
      `EXPOSE ${PORT}`,
      'ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "app.jar"]',
    ],
  };
  return `# syntax=docker/dockerfile:1\n# ${p.language} / ${p.framework}: runs as a non-root user\n${lines[p.language].join('\n')}\n`;
}

export function catalogInfo(p: MicroserviceInput): Record<string, unknown> {
  const owner = normalizeRef(p.owner, { kind: 'group' })!;
  return {
    apiVersion: API_VERSION,
    kind: 'Component',
    metadata: {
      name: p.name,
      description: p.description,
      annotations: {
        'fleetops.io/workload': p.name,
        'fleetops.io/golden-path': 'microservice',
        'fleetops.io/slo-error-rate': '0.01',
        'fleetops.io/slo-latency-p95-ms': '500',
      },
      tags: [p.language, p.framework, ...(p.database !== 'none' ? [p.database] : [])],
      links: [{ url: placeholderRunbookUrl(p.name), title: 'Runbook', type: 'runbook' }],
    },
    spec: {
      type: 'service',
      lifecycle: 'experimental',
      owner,
      ...(p.system ? { system: normalizeRef(p.system, { kind: 'system' }) } : {}),
      ...(p.database !== 'none' ? { dependsOn: [`resource:default/${p.name}-${p.database}`] } : {}),
    },
  };
}

/** The chart's values for this service: the skeleton's values.yaml, and what a golden-path deploy sets. */
export function chartValues(p: MicroserviceInput) {
  const name = p.name;
  return {
    nameOverride: '',
    fullnameOverride: '',
    replicaCount: p.replicas,
    image: { repository: `registry.example.com/${name}`, tag: '0.1.0', pullPolicy: 'IfNotPresent' },
    serviceAccount: { create: true },
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: UID[p.language],
      runAsGroup: UID[p.language],
      fsGroup: UID[p.language],
      seccompProfile: { type: 'RuntimeDefault' },
    },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    service: { type: 'ClusterIP', port: 80 },
    containerPort: PORT,
    resources: { requests: { cpu: p.cpu, memory: p.memory }, limits: { cpu: scale(p.cpu, 2), memory: scale(p.memory, 2) } },
    autoscaling: { enabled: true, minReplicas: p.replicas, maxReplicas: Math.max(p.replicas * 4, p.replicas + 2), targetCPUUtilizationPercentage: 70 },
    probes: { liveness: { path: '/healthz' }, readiness: { path: '/readyz' } },
    serviceMonitor: { enabled: true, interval: '30s', path: '/metrics' },
    env: p.database !== 'none' ? [{ name: 'DATABASE_KIND', value: p.database }] : [],
  };
}

function chartFiles(p: MicroserviceInput): Record<string, string> {
  const name = p.name;
  const values = chartValues(p);
  const chart = {
    apiVersion: 'v2',
    name,
    description: p.description,
    type: 'application',
    version: '0.1.0',
    appVersion: '0.1.0',
    icon: 'https://helm.sh/img/helm.svg',
  };
  const helpers = `{{/* Names and labels shared by every template. */}}
{{- define "svc.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "svc.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "svc.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "svc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "svc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "svc.labels" -}}
{{ include "svc.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
`;
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "svc.fullname" . }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "svc.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "svc.selectorLabels" . | nindent 8 }}
    spec:
      serviceAccountName: {{ include "svc.fullname" . }}
      automountServiceAccountToken: false
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ include "svc.name" . }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ .Values.containerPort }}
              protocol: TCP
          {{- with .Values.env }}
          env:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          livenessProbe:
            httpGet:
              path: {{ .Values.probes.liveness.path }}
              port: http
            initialDelaySeconds: 10
            periodSeconds: 10
          readinessProbe:
            httpGet:
              path: {{ .Values.probes.readiness.path }}
              port: http
            periodSeconds: 5
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
`;
  const service = `apiVersion: v1
kind: Service
metadata:
  name: {{ include "svc.fullname" . }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
      name: http
  selector:
    {{- include "svc.selectorLabels" . | nindent 4 }}
`;
  const hpa = `{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "svc.fullname" . }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "svc.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
`;
  const serviceAccount = `{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "svc.fullname" . }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
automountServiceAccountToken: false
{{- end }}
`;
  const serviceMonitor = `{{- if and .Values.serviceMonitor.enabled (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "svc.fullname" . }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
spec:
  selector:
    matchLabels:
      {{- include "svc.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: http
      path: {{ .Values.serviceMonitor.path }}
      interval: {{ .Values.serviceMonitor.interval }}
{{- end }}
`;
  return {
    'Chart.yaml': stringify(chart),
    'values.yaml': stringify(values),
    '.helmignore': '.git/\n*.swp\n*.tmp\n',
    'templates/_helpers.tpl': helpers,
    'templates/deployment.yaml': deployment,
    'templates/service.yaml': service,
    'templates/hpa.yaml': hpa,
    'templates/serviceaccount.yaml': serviceAccount,
    'templates/servicemonitor.yaml': serviceMonitor,
  };
}

/** The toolchain each language's CI job installs (versions as in the Dockerfile's build image). */
const SETUP: Partial<Record<Language, Record<string, unknown>>> = {
  typescript: { uses: 'actions/setup-node@v4', with: { 'node-version': '22' } },
  javascript: { uses: 'actions/setup-node@v4', with: { 'node-version': '22' } },
  python: { uses: 'actions/setup-python@v5', with: { 'python-version': '3.12' } },
  go: { uses: 'actions/setup-go@v5', with: { 'go-version': '1.23' } },
  java: { uses: 'actions/setup-java@v4', with: { distribution: 'temurin', 'java-version': '21' } },
};

function ciWorkflow(p: MicroserviceInput): Record<string, unknown> {
  const test: Record<Language, string[]> = {
    typescript: ['npm ci', 'npm test'],
    javascript: ['npm ci', 'npm test'],
    python: ['pip install -r requirements.txt -r requirements-dev.txt', 'pytest'],
    go: ['go mod tidy', 'go vet ./...', 'go test ./...'],
    java: ['mvn -B verify'],
  };
  return {
    name: 'ci',
    on: { push: { branches: ['main'] }, pull_request: {} },
    permissions: { contents: 'read', 'security-events': 'write' },
    jobs: {
      test: {
        'runs-on': 'ubuntu-latest',
        steps: [{ uses: 'actions/checkout@v4' }, ...(SETUP[p.language] ? [SETUP[p.language]!] : []), ...test[p.language].map((run) => ({ run }))],
      },
      chart: { 'runs-on': 'ubuntu-latest', steps: [{ uses: 'actions/checkout@v4' }, { uses: 'azure/setup-helm@v4' }, { run: `helm lint charts/${p.name}` }] },
      image: {
        'runs-on': 'ubuntu-latest',
        needs: ['test', 'chart'],
        steps: [
          { uses: 'actions/checkout@v4' },
          { run: `docker build -t ${p.name}:\${{ github.sha }} .` },
          {
            name: 'security scan',
            uses: 'aquasecurity/trivy-action@0.28.0',
            with: { 'image-ref': `${p.name}:\${{ github.sha }}`, format: 'sarif', output: 'trivy.sarif', 'exit-code': '1', severity: 'CRITICAL,HIGH' },
          },
          { uses: 'github/codeql-action/upload-sarif@v3', if: 'always()', with: { sarif_file: 'trivy.sarif' } },
        ],
      },
    },
  };
}

function alertRules(p: MicroserviceInput): Record<string, unknown> {
  const sel = `destination_workload="${p.name}"`;
  return {
    groups: [
      {
        name: `${p.name}.rules`,
        rules: [
          {
            alert: 'HighErrorRate',
            expr: `sum(rate(istio_requests_total{${sel},response_code=~"5.."}[5m])) / sum(rate(istio_requests_total{${sel}}[5m])) > 0.01`,
            for: '5m',
            labels: { severity: 'high', service: p.name },
            annotations: { summary: `${p.name}: more than 1% of requests fail` },
          },
          {
            alert: 'HighLatencyP95',
            expr: `histogram_quantile(0.95, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m]))) > 500`,
            for: '10m',
            labels: { severity: 'medium', service: p.name },
            annotations: { summary: `${p.name}: p95 latency above 500 ms` },
          },
          {
            alert: 'PodCrashLooping',
            expr: `increase(kube_pod_container_status_restarts_total{container="${p.name}"}[15m]) > 3`,
            for: '5m',
            labels: { severity: 'high', service: p.name },
            annotations: { summary: `${p.name}: a container restarts repeatedly` },
          },
        ],
      },
    ],
  };
}

/** What the first commit still needs, so CI and the image build from pinned dependencies (Node ships its lockfile). */
const LOCK_STEP: Record<Language, string> = {
  typescript: 'nothing: package-lock.json is included (`npm ci && npm test` builds and tests it)',
  javascript: 'nothing: package-lock.json is included (`npm ci && npm test` tests it)',
  python: 'run `pip install -r requirements.txt` once (versions are pinned already)',
  go: 'run `go mod tidy` once and commit go.sum',
  java: 'run `mvn -B verify` once',
};

function readme(p: MicroserviceInput): string {
  return `# ${p.name}\n\n${p.description}\n\n- Language: ${p.language} (${p.framework})\n- Database: ${p.database}\n- Chart: \`charts/${p.name}\` (HPA ${p.replicas}+ replicas, probes on /healthz and /readyz, port ${PORT})\n- Alerts: \`monitoring/prometheus-rules.yaml\`\n- Runbook: the link in \`catalog-info.yaml\` is a placeholder; the scorecard's runbook-linked check fails until it points at the real runbook.\n- First commit: ${LOCK_STEP[p.language]}.\n\nCreated by the fleetops microservice golden path.\n`;
}

/** The skeleton's files, under a top folder named after the service. */
export function microserviceSkeleton(p: MicroserviceInput): TarEntry[] {
  const root = `${p.name}/`;
  const chart = Object.entries(chartFiles(p)).map(([path, content]) => ({ path: `${root}charts/${p.name}/${path}`, content }));
  return [
    { path: `${root}README.md`, content: readme(p) },
    { path: `${root}catalog-info.yaml`, content: stringify(catalogInfo(p)) },
    { path: `${root}Dockerfile`, content: dockerfile(p) },
    { path: `${root}.dockerignore`, content: '.git\nnode_modules\ndist\nbuild-test\ntarget\ncharts\n' },
    ...Object.entries(applicationSources(p)).map(([path, content]) => ({ path: `${root}${path}`, content })),
    { path: `${root}docs/index.md`, content: `# ${p.name}\n\n${p.description}\n` },
    { path: `${root}.github/workflows/ci.yaml`, content: stringify(ciWorkflow(p)) },
    { path: `${root}monitoring/prometheus-rules.yaml`, content: stringify(alertRules(p)) },
    ...chart,
  ];
}

/** The platform's golden chart: the skeleton's chart without a service of its own; a deploy names the service through values. */
export function goldenChartFiles(): Record<string, string> {
  return chartFiles({
    name: 'fleetops-microservice',
    owner: 'group:default/platform',
    description: 'The fleetops golden-path microservice chart',
    language: 'go',
    framework: 'net-http',
    database: 'none',
    replicas: 2,
    cpu: '250m',
    memory: '256Mi',
    register: false,
  });
}

/** What a golden-path deploy asks of the deploy workflow: the service's values with its image, named after it. */
export function goldenPathDeployment(p: MicroserviceInput, chart: z.output<typeof ChartRef>) {
  const deploy = p.deploy!;
  const colon = deploy.image.lastIndexOf(':');
  const values = chartValues(p);
  return {
    release: p.name,
    namespace: deploy.namespace ?? p.name,
    chart,
    values: {
      ...values,
      nameOverride: p.name,
      fullnameOverride: p.name,
      image: { ...values.image, repository: deploy.image.slice(0, colon), tag: deploy.image.slice(colon + 1) },
    },
    waves: [{ name: deploy.environment, selector: { environment: deploy.environment } }],
    ...(deploy.strategy ? { strategy: deploy.strategy } : {}),
  };
}
