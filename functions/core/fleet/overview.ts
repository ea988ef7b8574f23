/**
 * The `GET /v1/fleet/overview` body: each cluster's health score and error rate against the fleet.
 *
 * Error rate vs fleet: each cluster is compared with the request-weighted average error rate of the
 * *other* clusters (leave-one-out). Including the cluster itself would let a bad cluster pull the
 * average towards itself: with two equally busy clusters at 10 % and 0 %, the all-cluster average is
 * 5 % and the ratio can never exceed 2. `fleet.avgErrorRate` is the request-weighted average over all
 * clusters. Clusters without a request rate weigh 1 when no cluster has one, otherwise 0.
 *
 * A cluster is flagged when any of these hold (each adds a reason):
 * - its error rate is ≥ `errorRatio` (2) × the others' average and ≥ `minErrorRate` (0.5 %) — the
 *   floor keeps 0.01 % vs 0.005 % quiet; when the others have no errors at all, the floor alone decides;
 * - fewer nodes are ready than exist (or it reports no nodes);
 * - CPU or memory utilisation ≥ `highUtilisation` (0.9).
 * Unknown metrics add a reason but do not flag.
 */
import { healthScore100 } from './health.ts';

export interface ClusterHealthInput {
  clusterId: string;
  name: string;
  environment: string;
  readyNodes: number;
  totalNodes: number;
  /** Fraction 0..1 of allocatable CPU in use; null = unknown. */
  cpuUtilisation: number | null;
  /** Fraction 0..1 of allocatable memory in use; null = unknown. */
  memoryUtilisation: number | null;
  /** Fraction 0..1 of requests answered with a 5xx; null = no request metrics. */
  errorRate: number | null;
  /** Requests per second (the weight in fleet averages); null = unknown. */
  requestRate: number | null;
}

export interface ClusterOverview {
  clusterId: string;
  name: string;
  environment: string;
  /** 0..100, see health.ts. */
  healthScore: number;
  readyNodes: number;
  totalNodes: number;
  cpuUtilisation: number | null;
  memoryUtilisation: number | null;
  errorRate: number | null;
  /** errorRate / (request-weighted error rate of the other clusters); null when either is missing or the others have none. */
  errorRateVsFleet: number | null;
  flagged: boolean;
  reasons: string[];
}

export interface FleetOverview {
  generatedAt: string;
  fleet: {
    clusters: number;
    /** Request-weighted over all clusters with an error rate; null when none has one. */
    avgErrorRate: number | null;
    /** Unweighted mean of the clusters' 0..100 scores; null for an empty fleet. */
    avgHealthScore: number | null;
  };
  clusters: ClusterOverview[];
}

export interface FleetOverviewOptions {
  now?: Date;
  /** Flag at ≥ this multiple of the other clusters' error rate. Default 2. */
  errorRatio?: number;
  /** Absolute floor (fraction) below which an error rate never flags. Default 0.005. */
  minErrorRate?: number;
  /** Flag CPU / memory utilisation at or above this fraction. Default 0.9. */
  highUtilisation?: number;
}

export const FLEET_DEFAULTS = { errorRatio: 2, minErrorRate: 0.005, highUtilisation: 0.9 } as const;

const pct = (v: number): string => `${Number((v * 100).toPrecision(3))}%`;
const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;
const known = (v: number | null): v is number => v !== null && Number.isFinite(v);

/** Request-weighted mean error rate of the given clusters, or null when none has an error rate. */
export function weightedErrorRate(clusters: readonly Pick<ClusterHealthInput, 'errorRate' | 'requestRate'>[]): number | null {
  const withRate = clusters.filter((c) => known(c.errorRate));
  if (withRate.length === 0) return null;
  const anyWeight = withRate.some((c) => known(c.requestRate) && c.requestRate > 0);
  let num = 0;
  let den = 0;
  for (const c of withRate) {
    const w = anyWeight ? (known(c.requestRate) && c.requestRate > 0 ? c.requestRate : 0) : 1;
    num += w * (c.errorRate as number);
    den += w;
  }
  return den > 0 ? num / den : null;
}

export function fleetOverview(inputs: readonly ClusterHealthInput[], options: FleetOverviewOptions = {}): FleetOverview {
  const o = { ...FLEET_DEFAULTS, ...options };
  const clusters = inputs.map((c, i): ClusterOverview => {
    const reasons: string[] = [];
    let flagged = false;
    if (!(c.totalNodes > 0)) {
      reasons.push('no nodes reported');
      flagged = true;
    } else if (c.readyNodes < c.totalNodes) {
      reasons.push(`${c.readyNodes}/${c.totalNodes} nodes ready`);
      flagged = true;
    }
    for (const [label, u] of [
      ['CPU', c.cpuUtilisation],
      ['memory', c.memoryUtilisation],
    ] as const) {
      if (!known(u)) reasons.push(`${label} utilisation unknown`);
      else if (u >= o.highUtilisation) {
        reasons.push(`${label} utilisation ${pct(u)} ≥ ${pct(o.highUtilisation)}`);
        flagged = true;
      }
    }
    const others = inputs.filter((_, j) => j !== i);
    const baseline = weightedErrorRate(others);
    let vsFleet: number | null = null;
    if (known(c.errorRate) && baseline !== null) {
      if (baseline > 0) {
        vsFleet = round(c.errorRate / baseline, 2);
        if (c.errorRate >= o.minErrorRate && c.errorRate >= o.errorRatio * baseline) {
          reasons.push(`error rate ${pct(c.errorRate)} is ${vsFleet}× the rest of the fleet (${pct(baseline)})`);
          flagged = true;
        }
      } else if (c.errorRate >= o.minErrorRate) {
        reasons.push(`error rate ${pct(c.errorRate)} while the rest of the fleet has none`);
        flagged = true;
      }
    } else if (!known(c.errorRate)) {
      reasons.push('error rate unknown');
    }
    return {
      clusterId: c.clusterId,
      name: c.name,
      environment: c.environment,
      healthScore: healthScore100(c),
      readyNodes: c.readyNodes,
      totalNodes: c.totalNodes,
      cpuUtilisation: known(c.cpuUtilisation) ? round(c.cpuUtilisation, 4) : null,
      memoryUtilisation: known(c.memoryUtilisation) ? round(c.memoryUtilisation, 4) : null,
      errorRate: known(c.errorRate) ? c.errorRate : null,
      errorRateVsFleet: vsFleet,
      flagged,
      reasons,
    };
  });
  const avgErrorRate = weightedErrorRate(inputs);
  return {
    generatedAt: (o.now ?? new Date()).toISOString(),
    fleet: {
      clusters: clusters.length,
      avgErrorRate: avgErrorRate === null ? null : round(avgErrorRate, 6),
      avgHealthScore: clusters.length ? round(clusters.reduce((a, c) => a + c.healthScore, 0) / clusters.length, 1) : null,
    },
    clusters,
  };
}
