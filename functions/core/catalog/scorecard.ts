/**
 * Scorecards: how production-ready a component is. Facts come from the registered clusters and the
 * component's repository (gathered by adapters); this file only weighs them.
 */
import { annotation, type CatalogEntity } from './entity.ts';
import type { CatalogIndex } from './graph.ts';
import { isPlaceholderRunbook, PLACEHOLDER_RUNBOOK_HOST } from './runbook.ts';

export const DEFAULT_PASSING_MARK = 70;

export const CHECKS = [
  { name: 'deployment-exists', weight: 20 },
  { name: 'service-exists', weight: 10 },
  { name: 'servicemonitor-exists', weight: 10 },
  { name: 'has-docs', weight: 10 },
  { name: 'has-tests', weight: 10 },
  { name: 'helm-chart-exists', weight: 10 },
  { name: 'recent-security-scan', weight: 10 },
  { name: 'runbook-linked', weight: 10 },
  { name: 'owner-resolvable', weight: 10 },
] as const;
export type CheckName = (typeof CHECKS)[number]['name'];

/** What one registered cluster says about the component's workload. */
export interface ClusterFacts {
  cluster: string;
  /** The cluster could not be asked. */
  error?: string;
  deployment?: { namespace: string; name: string; readyReplicas: number; replicas: number };
  service?: { name: string };
  /** `absent`: the ServiceMonitor CRD (monitoring.coreos.com/v1) is not installed. */
  serviceMonitor?: { name: string } | 'absent';
}

export interface RepositoryFacts {
  repository: string;
  error?: string;
  docs?: string;
  tests?: string;
  helmChart?: string;
  /** Newest security analysis or scan run (ISO time) and what it was. */
  securityScan?: { at: string; what: string };
}

export interface ScorecardFacts {
  clusters: ClusterFacts[];
  /** Absent: no repository configured for the component. */
  repository?: RepositoryFacts;
}

export interface CheckResult {
  name: CheckName;
  weight: number;
  passed: boolean;
  detail: string;
}

export interface Scorecard {
  entity: string;
  score: number;
  passing: boolean;
  passingMark: number;
  checks: CheckResult[];
}

export interface ScorecardOptions {
  passingMark?: number;
  now: Date;
  /** A scan older than this does not count as recent. */
  securityScanMaxAgeDays?: number;
}

const RUNBOOK_ANNOTATIONS = ['fleetops.io/runbook-url', 'pagerduty.com/runbook-url'];

/** `github.com/project-slug` (Backstage's), or a github.com `backstage.io/source-location`. */
export function repositoryOf(entity: CatalogEntity): { owner: string; repo: string } | undefined {
  const SLUG = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;
  const slug = annotation(entity, 'github.com/project-slug');
  const fromSlug = slug ? SLUG.exec(slug) : null;
  if (fromSlug && fromSlug[2] !== '.' && fromSlug[2] !== '..') return { owner: fromSlug[1], repo: fromSlug[2].replace(/\.git$/, '') };
  const location = annotation(entity, 'backstage.io/source-location');
  const url = location ? /^url:https:\/\/github\.com\/([A-Za-z0-9-]{1,39})\/([A-Za-z0-9._-]{1,100})(?:[/?#].*)?$/.exec(location) : null;
  if (url && url[2] !== '.' && url[2] !== '..') return { owner: url[1], repo: url[2].replace(/\.git$/, '') };
  return undefined;
}

function kubeChecks(facts: ClusterFacts[]): Record<'deployment-exists' | 'service-exists' | 'servicemonitor-exists', { passed: boolean; detail: string }> {
  const asked = facts.filter((f) => !f.error);
  const failed = facts.filter((f) => f.error).map((f) => `${f.cluster} unreachable (${f.error})`);
  const tail = failed.length ? `; ${failed.join('; ')}` : '';
  if (!facts.length) {
    const none = { passed: false, detail: 'no registered cluster to check' };
    return { 'deployment-exists': none, 'service-exists': none, 'servicemonitor-exists': none };
  }
  const withDeployment = asked.filter((f) => f.deployment);
  const deployment = withDeployment.length
    ? {
        passed: true,
        detail: `found on ${withDeployment.map((f) => `${f.cluster} (${f.deployment!.namespace}/${f.deployment!.name}, ${f.deployment!.readyReplicas}/${f.deployment!.replicas} ready)`).join(', ')}${tail}`,
      }
    : { passed: false, detail: `no Deployment on ${asked.map((f) => f.cluster).join(', ') || 'any reachable cluster'}${tail}` };
  if (!withDeployment.length) {
    const skipped = { passed: false, detail: 'no Deployment found, so nothing to check' };
    return { 'deployment-exists': deployment, 'service-exists': skipped, 'servicemonitor-exists': skipped };
  }
  const withService = withDeployment.filter((f) => f.service);
  const service = withService.length
    ? { passed: true, detail: `Service ${withService[0].service!.name} on ${withService.map((f) => f.cluster).join(', ')}` }
    : { passed: false, detail: `no Service for the workload on ${withDeployment.map((f) => f.cluster).join(', ')}` };
  const monitored = withDeployment.filter((f) => f.serviceMonitor && f.serviceMonitor !== 'absent');
  const absentCrd = withDeployment.filter((f) => f.serviceMonitor === 'absent').map((f) => f.cluster);
  const monitor = monitored.length
    ? { passed: true, detail: `ServiceMonitor ${(monitored[0].serviceMonitor as { name: string }).name} on ${monitored.map((f) => f.cluster).join(', ')}` }
    : {
        passed: false,
        detail: absentCrd.length
          ? `no ServiceMonitor: the monitoring.coreos.com/v1 ServiceMonitor CRD is not installed on ${absentCrd.join(', ')}`
          : `no ServiceMonitor selects the workload on ${withDeployment.map((f) => f.cluster).join(', ')}`,
      };
  return { 'deployment-exists': deployment, 'service-exists': service, 'servicemonitor-exists': monitor };
}

function repoChecks(repository: RepositoryFacts | undefined, options: ScorecardOptions) {
  if (!repository) {
    const none = { passed: false, detail: 'no repository configured (annotation github.com/project-slug)' };
    return { 'has-docs': none, 'has-tests': none, 'helm-chart-exists': none, 'recent-security-scan': none };
  }
  if (repository.error) {
    const failed = { passed: false, detail: `repository ${repository.repository} could not be read: ${repository.error}` };
    return { 'has-docs': failed, 'has-tests': failed, 'helm-chart-exists': failed, 'recent-security-scan': failed };
  }
  const found = (what: string | undefined, missing: string) =>
    what ? { passed: true, detail: `${what} in ${repository.repository}` } : { passed: false, detail: `${missing} in ${repository.repository}` };
  const maxAgeDays = options.securityScanMaxAgeDays ?? 30;
  const scan = repository.securityScan;
  const ageDays = scan ? (options.now.getTime() - Date.parse(scan.at)) / 86_400_000 : Infinity;
  return {
    'has-docs': found(repository.docs, 'no docs/ folder or mkdocs.yml'),
    'has-tests': found(repository.tests, 'no test folder or test files'),
    'helm-chart-exists': found(repository.helmChart, 'no Chart.yaml'),
    'recent-security-scan': !scan
      ? { passed: false, detail: `no security scan found for ${repository.repository}` }
      : ageDays <= maxAgeDays
        ? { passed: true, detail: `${scan.what} at ${scan.at}` }
        : { passed: false, detail: `last security scan ${scan.what} at ${scan.at} is older than ${maxAgeDays} days` },
  };
}

function runbookCheck(entity: CatalogEntity): { passed: boolean; detail: string } {
  const links = (entity.metadata.links ?? [])
    .filter((l) => /runbook/i.test(`${l.type ?? ''} ${l.title ?? ''} ${l.url}`))
    .map((l) => ({ url: l.url, detail: `link ${l.url}` }));
  const annotations = RUNBOOK_ANNOTATIONS.flatMap((key) => {
    const url = annotation(entity, key);
    return url ? [{ url, detail: `annotation ${key}` }] : [];
  });
  const candidates = [...links, ...annotations];
  const real = candidates.find((c) => !isPlaceholderRunbook(c.url));
  if (real) return { passed: true, detail: real.detail };
  if (candidates.length) {
    return {
      passed: false,
      detail: `runbook ${candidates[0].url} is still the golden path's placeholder (${PLACEHOLDER_RUNBOOK_HOST}): point it at the service's real runbook`,
    };
  }
  return { passed: false, detail: 'no link of type runbook and no fleetops.io/runbook-url annotation' };
}

function ownerCheck(entity: CatalogEntity, catalog: CatalogIndex): { passed: boolean; detail: string } {
  const owner = entity.relations.find((r) => r.type === 'ownedBy')?.targetRef;
  if (!owner) return { passed: false, detail: 'no spec.owner' };
  const found = catalog.get(owner);
  if (!found) return { passed: false, detail: `${owner} is not in the catalog` };
  if (found.kind !== 'Group' && found.kind !== 'User') return { passed: false, detail: `${owner} is a ${found.kind}, not a Group or User` };
  return { passed: true, detail: owner };
}

export function computeScorecard(entity: CatalogEntity, catalog: CatalogIndex, facts: ScorecardFacts, options: ScorecardOptions): Scorecard {
  const passingMark = options.passingMark ?? DEFAULT_PASSING_MARK;
  const results: Record<CheckName, { passed: boolean; detail: string }> = {
    ...kubeChecks(facts.clusters),
    ...repoChecks(facts.repository, options),
    'runbook-linked': runbookCheck(entity),
    'owner-resolvable': ownerCheck(entity, catalog),
  };
  const checks = CHECKS.map(({ name, weight }) => ({ name, weight, ...results[name] }));
  const total = checks.reduce((sum, c) => sum + c.weight, 0);
  const score = Math.round((100 * checks.filter((c) => c.passed).reduce((sum, c) => sum + c.weight, 0)) / total);
  return { entity: entity.ref, score, passing: score >= passingMark, passingMark, checks };
}

export interface FleetScorecardSummary {
  passingMark: number;
  components: number;
  passing: number;
  averageScore: number;
  items: { entity: string; score: number; passing: boolean; failed: CheckName[] }[];
}

export function summarize(cards: Scorecard[], passingMark = DEFAULT_PASSING_MARK): FleetScorecardSummary {
  const items = cards
    .map((c) => ({ entity: c.entity, score: c.score, passing: c.passing, failed: c.checks.filter((k) => !k.passed).map((k) => k.name) }))
    .sort((a, b) => a.score - b.score || a.entity.localeCompare(b.entity));
  const averageScore = items.length ? Math.round(items.reduce((s, i) => s + i.score, 0) / items.length) : 0;
  return { passingMark, components: items.length, passing: items.filter((i) => i.passing).length, averageScore, items };
}
