/**
 * Layer 2: fleet peers. The same service on the other clusters of the fleet is the best baseline a
 * brand-new cluster has. Uses the fleet overview's comparison (robust z with ≥ 3 clusters, ratio with
 * 2; see core/fleet/compare.ts) with a minimum effect size on top: the value must also exceed the
 * peers' median by an absolute amount, so 0.4 % vs 0.1 % errors never counts as "4× the fleet".
 */
import { compareServiceAcrossClusters } from '../fleet/compare.ts';
import type { GoldenSignals, SignalName } from '../metrics/types.ts';
import type { LayerFinding, Severity } from './types.ts';
import { DEFAULT_GUARDRAILS, worst } from './guardrails.ts';

export interface PeerSample {
  clusterId: string;
  cluster: string;
  /** When the peer's sample was taken. */
  at: string;
  features: GoldenSignals;
}

export interface PeerOptions {
  /** Signals compared across clusters. CPU and memory follow each cluster's own load, so they are off by default. */
  signals: SignalName[];
  /** Ratio (2 clusters) the service must reach against its peer. */
  ratio: number;
  /** Robust z (≥ 3 clusters) it must reach. */
  z: number;
  /** Minimum absolute excess over the peers' median, per signal (the effect size). */
  minExcess: Partial<Record<SignalName, number>>;
  /** Both sides need this much traffic for request-based signals to be comparable. */
  minRequestRate: number;
  /**
   * A peer failing this share of its requests or more is no baseline: it is broken itself, and failing fast makes it
   * look quick (a crash-looping dev would make a healthy prod's latency "48× its peer"). The default guardrail's error rate.
   */
  maxPeerErrorRate: number;
}

export const DEFAULT_PEER_OPTIONS: PeerOptions = {
  signals: ['error_rate', 'latency_p95'],
  ratio: 3,
  z: 3,
  minExcess: { error_rate: 0.02, latency_p95: 0.15, cpu_usage: 0.25, memory_usage: 256 * 1024 * 1024 },
  minRequestRate: 1,
  maxPeerErrorRate: DEFAULT_GUARDRAILS.errorRate,
};

const REQUEST_SIGNALS = new Set<SignalName>(['error_rate', 'latency_p95']);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function checkPeers(self: GoldenSignals, peers: readonly PeerSample[], options: PeerOptions = DEFAULT_PEER_OPTIONS): LayerFinding {
  const finding: LayerFinding = { layer: 'peers', fired: false, reasons: [], signals: [], severity: 'low' };
  if (peers.length === 0) return { ...finding, reasons: ['no other cluster runs this service'] };
  const busy = (f: GoldenSignals) => f.request_rate !== null && f.request_rate >= options.minRequestRate;
  const healthy = (f: GoldenSignals) => f.error_rate === null || f.error_rate < options.maxPeerErrorRate;
  const severities: Severity[] = [];
  for (const signal of options.signals) {
    const needsTraffic = REQUEST_SIGNALS.has(signal);
    if (needsTraffic && !busy(self)) continue;
    const comparable = peers.filter((p) => p.features[signal] !== null && (!needsTraffic || busy(p.features)) && healthy(p.features));
    const value = self[signal];
    if (value === null || comparable.length === 0) continue;
    const samples = [{ clusterId: '\u0000self', signals: self }, ...comparable.map((p) => ({ clusterId: p.clusterId, signals: p.features }))];
    const comparison = compareServiceAcrossClusters('', samples, {
      ratioThreshold: options.ratio,
      zThreshold: options.z,
      minValue: { [signal]: options.minExcess[signal] ?? 0 },
    });
    const outlier = comparison.outliers.find((o) => o.clusterId === '\u0000self' && o.signal === signal && o.direction === 'high');
    if (!outlier) continue;
    const peerMedian = median(comparable.map((p) => p.features[signal] as number));
    const excess = value - peerMedian;
    if (excess < (options.minExcess[signal] ?? 0)) continue;
    const effect =
      outlier.ratio !== null
        ? `${Number(outlier.ratio.toPrecision(3))}× its peer`
        : outlier.z !== null
          ? `robust z ${Number(outlier.z.toPrecision(3))} against ${comparable.length} peers`
          : 'while its peers have none';
    const names = comparable.map((p) => p.cluster).join(', ');
    finding.reasons.push(`${signal} ${fmt(signal, value)} vs ${fmt(signal, peerMedian)} on ${names} (${effect})`);
    finding.signals.push(signal);
    const ratio = peerMedian > 0 ? value / peerMedian : Infinity;
    severities.push(ratio >= 10 ? 'high' : 'medium');
  }
  return { ...finding, fired: finding.signals.length > 0, severity: worst(severities) };
}

export function fmt(signal: SignalName, v: number): string {
  switch (signal) {
    case 'error_rate':
      return `${Number((v * 100).toPrecision(3))}%`;
    case 'latency_p95':
      return `${v.toFixed(3)} s`;
    case 'cpu_usage':
      return `${v.toFixed(3)} cores`;
    case 'memory_usage':
      return `${Math.round(v / 1024 / 1024)} MiB`;
    default:
      return `${v.toFixed(2)} req/s`;
  }
}
