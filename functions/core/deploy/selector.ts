import type { ClusterRecord } from '../clusters/cluster-record.ts';
import type { ClusterSelector, ClusterTarget, WaveSpec } from './types.ts';

/**
 * The ApplicationSet cluster generator's selection: environment equality, every matchLabels pair,
 * every matchExpression. An empty selector selects every cluster.
 */
export function matchesSelector(cluster: Pick<ClusterRecord, 'environment' | 'labels'> & { id?: string }, selector: ClusterSelector): boolean {
  if (selector.clusterIds !== undefined && !(cluster.id !== undefined && selector.clusterIds.includes(cluster.id))) return false;
  if (selector.environment !== undefined && cluster.environment !== selector.environment) return false;
  const labels = cluster.labels ?? {};
  for (const [key, value] of Object.entries(selector.labels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expr.key);
    const values = expr.values ?? [];
    if (expr.operator === 'Exists' && !has) return false;
    if (expr.operator === 'DoesNotExist' && has) return false;
    if (expr.operator === 'In' && !(has && values.includes(labels[expr.key]))) return false;
    if (expr.operator === 'NotIn' && has && values.includes(labels[expr.key])) return false;
  }
  return true;
}

/**
 * The clusters of each wave, in name order. A cluster joins only the first wave that selects it,
 * so a broad later wave ("everything else") never redeploys an earlier wave's clusters.
 */
export function planWaves(
  waves: WaveSpec[],
  clusters: Pick<ClusterRecord, 'id' | 'name' | 'environment' | 'labels' | 'status'>[],
): { name: string; clusters: ClusterTarget[] }[] {
  const taken = new Set<string>();
  const sorted = [...clusters].sort((a, b) => a.name.localeCompare(b.name));
  return waves.map((wave) => {
    const selected = sorted.filter((c) => !taken.has(c.id) && matchesSelector(c, wave.selector));
    for (const c of selected) taken.add(c.id);
    return { name: wave.name, clusters: selected.map((c) => ({ clusterId: c.id, cluster: c.name })) };
  });
}
