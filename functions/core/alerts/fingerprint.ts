import { createHash } from 'node:crypto';

/**
 * Two identities per alert, on purpose:
 * - the dedup fingerprint: a hash of a configurable label set, by default the source-independent
 *   `cluster, namespace, service, type`. The same problem reported by Alertmanager, a CloudWatch alarm or
 *   the API gets the same fingerprint, and a pod restart (new pod label) does not make a new problem.
 * - the alert id: the source's own per-instance identity (Alertmanager's `fingerprint`, a hash of all its
 *   labels; the alarm ARN). It only tracks which instances still fire, so a resolve of pod A does not
 *   resolve an incident while pod B still fires.
 * Alertmanager's fingerprint is not used for dedup because it changes with every extra label (pod,
 * instance, job_name) and differs between sources.
 * The incident key is the same hash over the grouping labels (default per service, without `type`), so
 * HighErrorRate and HighLatency of one service share one incident while each keeps its own fingerprint.
 */
export const DEFAULT_DEDUP_LABELS = ['cluster', 'namespace', 'service', 'type'] as const;
export const DEFAULT_GROUP_LABELS = ['cluster', 'namespace', 'service'] as const;

export interface FingerprintSubject {
  cluster: string;
  namespace: string;
  service: string;
  type: string;
  labels: Record<string, string>;
}

/** Values by label name: the canonical fields win over raw labels of the same name. */
export function labelValues(subject: FingerprintSubject): Record<string, string> {
  return {
    ...subject.labels,
    cluster: subject.cluster,
    namespace: subject.namespace,
    service: subject.service,
    type: subject.type,
  };
}

export function fingerprintOf(values: Record<string, string | undefined>, labelNames: readonly string[]): string {
  const names = [...new Set(labelNames)].sort();
  const pairs = names.map((name) => [name, values[name] ?? '']);
  return createHash('sha256').update(JSON.stringify(pairs)).digest('hex').slice(0, 24);
}

export function dedupFingerprint(subject: FingerprintSubject, labelNames: readonly string[] = DEFAULT_DEDUP_LABELS): string {
  return fingerprintOf(labelValues(subject), labelNames);
}

export function incidentKey(subject: FingerprintSubject, labelNames: readonly string[] = DEFAULT_GROUP_LABELS): string {
  return fingerprintOf(labelValues(subject), labelNames);
}

/** Per-instance id for sources without their own: every label counts. */
export function instanceId(subject: FingerprintSubject): string {
  const values = labelValues(subject);
  return fingerprintOf(values, Object.keys(values));
}
