// API-server side defaulting and validation (422 Invalid causes) for the served kinds.
import type { ResourceDef } from './resources.ts';
import { selectorToRequirements, matchLabels } from './selectors.ts';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, isValidQuantity, type Obj } from './util.ts';

export interface Cause {
  reason: string;
  message: string;
  field: string;
}

function defaultContainer(c: Obj): void {
  const tag =
    String(c.image ?? '')
      .split('/')
      .pop() ?? '';
  c.imagePullPolicy = c.imagePullPolicy ?? (!tag.includes(':') || tag.endsWith(':latest') ? 'Always' : 'IfNotPresent');
  c.terminationMessagePath = c.terminationMessagePath ?? '/dev/termination-log';
  c.terminationMessagePolicy = c.terminationMessagePolicy ?? 'File';
  c.resources = c.resources ?? {};
  for (const p of c.ports ?? []) p.protocol = p.protocol ?? 'TCP';
}

export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy = spec.restartPolicy ?? 'Always';
  spec.terminationGracePeriodSeconds = spec.terminationGracePeriodSeconds ?? 30;
  spec.dnsPolicy = spec.dnsPolicy ?? 'ClusterFirst';
  spec.schedulerName = spec.schedulerName ?? 'default-scheduler';
  spec.securityContext = spec.securityContext ?? {};
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
}

function defaultWorkload(obj: Obj, kind: string): void {
  obj.spec = obj.spec ?? {};
  const s = obj.spec;
  if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
  if (kind === 'Deployment') {
    s.strategy = s.strategy ?? { type: 'RollingUpdate' };
    if ((s.strategy.type ?? 'RollingUpdate') === 'RollingUpdate') {
      s.strategy.type = 'RollingUpdate';
      s.strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...(s.strategy.rollingUpdate ?? {}) };
    }
    s.revisionHistoryLimit = s.revisionHistoryLimit ?? 10;
    s.progressDeadlineSeconds = s.progressDeadlineSeconds ?? 600;
  }
  if (kind === 'StatefulSet') {
    s.podManagementPolicy = s.podManagementPolicy ?? 'OrderedReady';
    s.updateStrategy = s.updateStrategy ?? { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    s.revisionHistoryLimit = s.revisionHistoryLimit ?? 10;
  }
  if (s.template) {
    s.template.metadata = s.template.metadata ?? {};
    s.template.metadata.creationTimestamp = null;
    if (s.template.spec) defaultPodSpec(s.template.spec);
  }
}

let ipCounter = 10;
function nextClusterIp(): string {
  ipCounter++;
  return `10.96.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}

export function applyDefaults(def: ResourceDef, obj: Obj, old?: Obj): void {
  switch (def.kind) {
    case 'Pod':
      obj.spec = obj.spec ?? {};
      defaultPodSpec(obj.spec);
      obj.spec.serviceAccountName = obj.spec.serviceAccountName ?? 'default';
      obj.spec.enableServiceLinks = obj.spec.enableServiceLinks ?? true;
      obj.spec.tolerations = obj.spec.tolerations ?? [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ];
      obj.status = old?.status ?? obj.status ?? { phase: 'Pending', qosClass: 'BestEffort' };
      break;
    case 'HorizontalPodAutoscaler':
      obj.spec = obj.spec ?? {};
      obj.spec.minReplicas = obj.spec.minReplicas ?? 1;
      obj.status = old?.status ?? obj.status ?? {};
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
      defaultWorkload(obj, def.kind);
      obj.status = old?.status ?? obj.status ?? {};
      break;
    case 'Service': {
      obj.spec = obj.spec ?? {};
      const s = obj.spec;
      s.type = s.type ?? 'ClusterIP';
      s.sessionAffinity = s.sessionAffinity ?? 'None';
      if (s.clusterIP !== 'None') s.clusterIP = old?.spec?.clusterIP ?? s.clusterIP ?? nextClusterIp();
      s.clusterIPs = s.clusterIP && s.clusterIP !== 'None' ? [s.clusterIP] : s.clusterIPs;
      s.ipFamilies = s.ipFamilies ?? ['IPv4'];
      s.ipFamilyPolicy = s.ipFamilyPolicy ?? 'SingleStack';
      s.internalTrafficPolicy = s.internalTrafficPolicy ?? 'Cluster';
      for (const p of s.ports ?? []) {
        p.protocol = p.protocol ?? 'TCP';
        p.targetPort = p.targetPort ?? p.port;
      }
      obj.status = obj.status ?? { loadBalancer: {} };
      break;
    }
    case 'Namespace':
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
      obj.spec = obj.spec ?? { finalizers: ['kubernetes'] };
      obj.status = old?.status ?? { phase: 'Active' };
      break;
    case 'PersistentVolumeClaim':
      obj.spec = obj.spec ?? {};
      obj.spec.volumeMode = obj.spec.volumeMode ?? 'Filesystem';
      obj.spec.storageClassName = obj.spec.storageClassName ?? 'standard';
      if (!old) {
        obj.spec.volumeName = obj.spec.volumeName ?? `pvc-${Math.random().toString(16).slice(2, 10)}`;
        obj.status = {
          phase: 'Bound',
          accessModes: obj.spec.accessModes ?? ['ReadWriteOnce'],
          capacity: { storage: obj.spec.resources?.requests?.storage ?? '1Gi' },
        };
      } else obj.status = old.status;
      break;
    case 'Event':
      obj.count = obj.count ?? 1;
      obj.type = obj.type ?? 'Normal';
      break;
    default:
      break;
  }
}

function validateContainers(spec: Obj | undefined, path: string, causes: Cause[]): void {
  const cs = spec?.containers;
  if (!Array.isArray(cs) || cs.length === 0) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${path}.containers` });
    return;
  }
  const names = new Set<string>();
  cs.forEach((c: Obj, i: number) => {
    const p = `${path}.containers[${i}]`;
    if (!c?.name) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${p}.name` });
    else if (!DNS1123_LABEL.test(c.name))
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${c.name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
        field: `${p}.name`,
      });
    else if (names.has(c.name)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${c.name}"`, field: `${p}.name` });
    names.add(c?.name);
    if (!c?.image) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${p}.image` });
    for (const kind of ['requests', 'limits'] as const) {
      for (const [rk, rv] of Object.entries(c?.resources?.[kind] ?? {})) {
        if (!isValidQuantity(rv))
          causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${rv}": must be a valid quantity`, field: `${p}.resources.${kind}.${rk}` });
      }
    }
  });
}

export function validate(def: ResourceDef, obj: Obj, old?: Obj): Cause[] {
  const causes: Cause[] = [];
  const name = obj.metadata?.name;
  if (!name) causes.push({ reason: 'FieldValueRequired', message: 'name or generateName is required', field: 'metadata.name' });
  else if (def.kind !== 'Event' && (!DNS1123_SUBDOMAIN.test(name) || name.length > 253))
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      field: 'metadata.name',
    });
  const s = obj.spec ?? {};
  switch (def.kind) {
    case 'Pod':
      validateContainers(s, 'spec', causes);
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet': {
      if (!Number.isInteger(s.replicas) || s.replicas < 0)
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(s.replicas)}: must be greater than or equal to 0`,
          field: 'spec.replicas',
        });
      const reqs = selectorToRequirements(s.selector);
      if (!s.selector || reqs.length === 0) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
      else if (!matchLabels(reqs, s.template?.metadata?.labels))
        causes.push({
          reason: 'FieldValueInvalid',
          message: 'Invalid value: map[string]string(nil): `selector` does not match template `labels`',
          field: 'spec.template.metadata.labels',
        });
      if (old && JSON.stringify(old.spec?.selector) !== JSON.stringify(s.selector))
        causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: field is immutable', field: 'spec.selector' });
      validateContainers(s.template?.spec, 'spec.template.spec', causes);
      break;
    }
    case 'Service':
      (s.ports ?? []).forEach((p: Obj, i: number) => {
        if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
          causes.push({
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${JSON.stringify(p.port)}: must be between 1 and 65535, inclusive`,
            field: `spec.ports[${i}].port`,
          });
      });
      if (old && old.spec?.clusterIP && s.clusterIP !== old.spec.clusterIP)
        causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: field is immutable', field: 'spec.clusterIP' });
      break;
    case 'HorizontalPodAutoscaler': {
      const min = s.minReplicas ?? 1;
      if (!Number.isInteger(s.maxReplicas) || s.maxReplicas < 1)
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(s.maxReplicas)}: must be greater than or equal to 1`,
          field: 'spec.maxReplicas',
        });
      else if (!Number.isInteger(min) || min < 1 || min > s.maxReplicas)
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(min)}: must be less than or equal to maxReplicas`,
          field: 'spec.minReplicas',
        });
      if (!s.scaleTargetRef?.kind || !s.scaleTargetRef?.name)
        causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.scaleTargetRef' });
      break;
    }
    case 'Event':
      if (!obj.involvedObject) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'involvedObject' });
      break;
    default:
      break;
  }
  return causes;
}
