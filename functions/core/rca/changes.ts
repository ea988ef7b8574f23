/**
 * The change timeline of an RCA: what changed on which service and when (rollouts: a new ReplicaSet revision
 * with what its pod template changed, e.g. an image or a config map reference; deploys, config maps, secrets, HPAs;
 * Argo CD syncs in argocd-changes.ts). It is evidence for the ranking
 * (`fleetops rank --changes`: a change shortly before a service's symptoms raises it) and shown in the report's
 * timeline beside the symptoms.
 */
import type { ChangeEvidence, Evidence, RolloutEvidence } from './evidence.ts';
import type { Change } from './rank.ts';

/** Changes this long before the symptoms are part of the timeline. */
export const CHANGE_WINDOW_MS = 60 * 60_000;

/** Rollouts as ranker changes (epoch seconds), within CHANGE_WINDOW_MS before `at` and anything after. */
export function changesOf(rollouts: readonly RolloutEvidence[], at: Date): Change[] {
  const from = at.getTime() - CHANGE_WINDOW_MS;
  return rollouts
    .filter((r) => r.changes.length > 0 && Date.parse(r.at) >= from)
    .map((r) => ({
      node: r.deployment,
      at: Math.floor(Date.parse(r.at) / 1000),
      kind: 'rollout',
      detail: `revision ${r.revision}: ${r.changes.slice(0, 3).join('; ')}`,
    }));
}

/** The changes of an RCA's evidence (rollouts and the others), oldest first. */
export function changeTimeline(evidence: Pick<Evidence, 'rollouts' | 'target' | 'changes'>): Change[] {
  const others = (evidence.changes ?? []).map((c) => ({ node: c.node, at: seconds(c.at), kind: c.kind, ...(c.detail ? { detail: c.detail } : {}) }));
  return [...changesOf(evidence.rollouts, new Date(evidence.target.at)), ...others].sort((a, b) => a.at - b.at);
}

/** Ranker changes other than rollouts (those are evidence.rollouts already) as evidence items with ids. */
export function changeEvidence(changes: readonly Change[]): ChangeEvidence[] {
  const seen = new Map<string, number>();
  return changes
    .filter((c) => c.kind !== 'rollout')
    .map((c) => {
      const base = `change:${c.kind}:${c.node}@${c.at}`;
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      return { id: n ? `${base}#${n}` : base, node: c.node, at: new Date(c.at * 1000).toISOString(), kind: c.kind, ...(c.detail ? { detail: c.detail } : {}) };
    });
}

/** The fields of a Deployment the change timeline reads (a Kubernetes V1Deployment fits). */
export interface DeploymentRef {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { template?: { spec?: PodSpecRefs } };
}

interface ContainerRefs {
  env?: { valueFrom?: { configMapKeyRef?: { name?: string }; secretKeyRef?: { name?: string } } }[];
  envFrom?: { configMapRef?: { name?: string }; secretRef?: { name?: string } }[];
}

/** Where a pod template references config maps and secrets: env, envFrom, volumes (also projected), image pull secrets. */
export interface PodSpecRefs {
  containers?: ContainerRefs[];
  initContainers?: ContainerRefs[];
  volumes?: {
    configMap?: { name?: string };
    secret?: { secretName?: string };
    projected?: { sources?: { configMap?: { name?: string }; secret?: { name?: string } }[] };
  }[];
  imagePullSecrets?: { name?: string }[];
}

/** An object's metadata as the change timeline reads it (V1ObjectMeta fits; never the object's data). */
export interface ObjectMetaRef {
  name?: string;
  creationTimestamp?: Date | string;
  managedFields?: { time?: Date | string; operation?: string; subresource?: string }[];
}

/** The release a deployment belongs to (helm's `meta.helm.sh/release-name`), if any. */
export function releaseOf(d: DeploymentRef): string | undefined {
  return d.metadata?.annotations?.['meta.helm.sh/release-name'];
}

/** One line of fleetops' release history (core/deploy ReleaseHistoryEntry), with when its revision was applied when known. */
export interface ReleaseHistoryChange {
  release: string;
  revision: number;
  deploymentId: string;
  trigger: string;
  outcome: 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK';
  /** When the outcome was recorded. */
  at: string;
  /** When helm applied the revision on this cluster (the deploy's ClusterDeployRecord.appliedAt). */
  appliedAt?: string;
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * fleetops' own deploys (the release history of the releases in the namespace) as changes of the deployments each
 * release covers: one `deploy` change per deploy, at the moment its revision was applied (else when its outcome was
 * recorded), and one more when the deploy was rolled back. Within CHANGE_WINDOW_MS before `at`, and anything after.
 */
export function deployChanges(history: readonly ReleaseHistoryChange[], deployments: readonly DeploymentRef[], at: Date): Change[] {
  const from = at.getTime() - CHANGE_WINDOW_MS;
  const byDeploy = new Map<string, ReleaseHistoryChange[]>();
  for (const h of history)
    byDeploy.set(`${h.release}#${h.deploymentId}#${h.revision}`, [...(byDeploy.get(`${h.release}#${h.deploymentId}#${h.revision}`) ?? []), h]);
  const out: Change[] = [];
  for (const entries of byDeploy.values()) {
    const { release, revision, deploymentId, trigger } = entries[0];
    const nodes = deployments
      .filter((d) => releaseOf(d) === release)
      .map((d) => d.metadata?.name ?? '')
      .filter(Boolean);
    const applied = entries.map((e) => e.appliedAt).find((a) => a && Number.isFinite(Date.parse(a))) ?? entries.map((e) => e.at).sort()[0];
    const outcomes = [...new Set([...entries].sort((a, b) => a.at.localeCompare(b.at)).map((e) => e.outcome))].join(', ');
    const rolledBack = entries.find((e) => e.outcome === 'ROLLED_BACK');
    for (const node of nodes) {
      if (Date.parse(applied) >= from)
        out.push({
          node,
          at: seconds(applied),
          kind: 'deploy',
          detail: `fleetops deploy ${deploymentId} of release ${release} revision ${revision} (trigger ${trigger}; ${outcomes})`,
        });
      if (rolledBack && Date.parse(rolledBack.at) >= from)
        out.push({
          node,
          at: seconds(rolledBack.at),
          kind: 'deploy',
          detail: `fleetops rolled back release ${release} from revision ${revision} (deploy ${deploymentId})`,
        });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The config maps a deployment's pod template references. */
export function configMapsOf(d: DeploymentRef): Set<string> {
  const spec = d.spec?.template?.spec;
  const names = new Set<string>();
  const add = (n: string | undefined) => n && names.add(n);
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const e of c.env ?? []) add(e.valueFrom?.configMapKeyRef?.name);
    for (const e of c.envFrom ?? []) add(e.configMapRef?.name);
  }
  for (const v of spec?.volumes ?? []) {
    add(v.configMap?.name);
    for (const p of v.projected?.sources ?? []) add(p.configMap?.name);
  }
  return names;
}

/** The secrets a deployment's pod template references (env, envFrom, volumes, projected volumes, image pull secrets). */
export function secretsOf(d: DeploymentRef): Set<string> {
  const spec = d.spec?.template?.spec;
  const names = new Set<string>();
  const add = (n: string | undefined) => n && names.add(n);
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const e of c.env ?? []) add(e.valueFrom?.secretKeyRef?.name);
    for (const e of c.envFrom ?? []) add(e.secretRef?.name);
  }
  for (const v of spec?.volumes ?? []) {
    add(v.secret?.secretName);
    for (const p of v.projected?.sources ?? []) add(p.secret?.name);
  }
  for (const p of spec?.imagePullSecrets ?? []) add(p.name);
  return names;
}

const ms = (t: Date | string | undefined) => (t === undefined ? NaN : t instanceof Date ? t.getTime() : Date.parse(t));

/**
 * When an object last changed, from its metadata alone: the newest managedFields time of a spec/data write (status
 * subresource writes are not changes), else its creation. `created` when nothing wrote it after it was created.
 */
export function lastChangeOf(meta: ObjectMetaRef): { at: number; created: boolean } | undefined {
  const created = ms(meta.creationTimestamp);
  const writes = (meta.managedFields ?? [])
    .filter((f) => f.subresource !== 'status')
    .map((f) => ms(f.time))
    .filter(Number.isFinite);
  const last = Math.max(Number.isFinite(created) ? created : -Infinity, ...writes);
  if (!Number.isFinite(last)) return undefined;
  return { at: last, created: !(last > created) };
}

/**
 * Config map changes (created or written within CHANGE_WINDOW_MS before `at`, or after) as `config` changes of every
 * deployment whose pod template references the config map. Only metadata is read: the data never enters evidence.
 */
export function configChanges(configMaps: readonly ObjectMetaRef[], deployments: readonly DeploymentRef[], at: Date): Change[] {
  return referencedChanges(configMaps, deployments, at, { kind: 'config', noun: 'config map', refsOf: configMapsOf });
}

/**
 * Secret changes (created or written within CHANGE_WINDOW_MS before `at`, or after) as `secret` changes of every
 * deployment whose pod template references the secret. Only the name and write times are read: a change says which
 * secret changed and when, never what it holds.
 */
export function secretChanges(secrets: readonly ObjectMetaRef[], deployments: readonly DeploymentRef[], at: Date): Change[] {
  return referencedChanges(secrets, deployments, at, { kind: 'secret', noun: 'secret', refsOf: secretsOf });
}

function referencedChanges(
  objects: readonly ObjectMetaRef[],
  deployments: readonly DeploymentRef[],
  at: Date,
  how: { kind: string; noun: string; refsOf: (d: DeploymentRef) => Set<string> },
): Change[] {
  const from = at.getTime() - CHANGE_WINDOW_MS;
  const refs = deployments.flatMap((d) => (d.metadata?.name ? [{ node: d.metadata.name, names: how.refsOf(d) }] : []));
  const out: Change[] = [];
  for (const o of objects) {
    const last = o.name ? lastChangeOf(o) : undefined;
    if (!last || last.at < from) continue;
    for (const { node, names } of refs)
      if (names.has(o.name!))
        out.push({ node, at: Math.floor(last.at / 1000), kind: how.kind, detail: `${how.noun} ${o.name} ${last.created ? 'created' : 'updated'}` });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The fields of a HorizontalPodAutoscaler the change timeline reads (a V2HorizontalPodAutoscaler fits). */
export interface HpaRef {
  metadata?: ObjectMetaRef;
  spec?: { scaleTargetRef?: { kind?: string; name?: string }; minReplicas?: number; maxReplicas?: number };
  status?: { lastScaleTime?: Date | string; currentReplicas?: number; desiredReplicas?: number };
}

/**
 * HPA changes of the deployments they scale, kind `scale`: a write to the HPA's spec (its bounds; the newest
 * managedFields time outside the status subresource) or its creation, and its last scaling (status.lastScaleTime).
 * Within CHANGE_WINDOW_MS before `at`, and anything after.
 */
export function scaleChanges(hpas: readonly HpaRef[], at: Date): Change[] {
  const from = at.getTime() - CHANGE_WINDOW_MS;
  const out: Change[] = [];
  for (const h of hpas) {
    const ref = h.spec?.scaleTargetRef;
    const name = h.metadata?.name;
    if (ref?.kind !== 'Deployment' || !ref.name || !name) continue;
    const bounds = `min ${h.spec?.minReplicas ?? 1}, max ${h.spec?.maxReplicas ?? '?'}`;
    const last = h.metadata ? lastChangeOf(h.metadata) : undefined;
    if (last && last.at >= from)
      out.push({
        node: ref.name,
        at: Math.floor(last.at / 1000),
        kind: 'scale',
        detail: `HPA ${name} ${last.created ? 'created' : 'bounds changed'} (${bounds})`,
      });
    const scaled = ms(h.status?.lastScaleTime);
    if (Number.isFinite(scaled) && scaled >= from) {
      out.push({
        node: ref.name,
        at: Math.floor(scaled / 1000),
        kind: 'scale',
        detail: `HPA ${name} scaled ${ref.name} to ${h.status?.desiredReplicas ?? '?'} replicas (${bounds})`,
      });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}
