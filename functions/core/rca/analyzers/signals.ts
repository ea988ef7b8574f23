/** Error bursts and latency regressions, from the golden signals (baseline vs now) and from logs. */
import type { Evidence } from '../evidence.ts';
import { median } from '../metric-evidence.ts';
import { unique, type Analyzer, type Finding } from './types.ts';

export const ERROR_RATE = 0.05;

function deploymentsOf(evidence: Evidence): string[] {
  return unique([...evidence.deployments.map((d) => d.name), ...evidence.metrics.map((m) => m.service)]);
}

function anomalyIds(evidence: Evidence, service: string, feature: string): string[] {
  return evidence.anomalies
    .filter((a) => a.service === service && (a.features[feature] ?? null) !== null)
    .slice(0, 2)
    .map((a) => a.id);
}

export const errorBurst: Analyzer = (evidence) => {
  const out: Finding[] = [];
  for (const service of deploymentsOf(evidence)) {
    const metric = evidence.metrics.find((m) => m.service === service && m.signal === 'error_rate');
    const fromMetric =
      metric && metric.current !== null && metric.current >= ERROR_RATE && (metric.baseline === undefined || metric.current >= 3 * metric.baseline + 0.01);
    const logs = evidence.logs.filter((l) => l.deployment === service && !l.previous && l.lines.length >= 10);
    const lines = logs.reduce((n, l) => n + l.lines.length, 0);
    const errors = logs.reduce((n, l) => n + l.errorLines, 0);
    const fromLogs = lines > 0 && errors >= 5 && errors / lines >= 0.15;
    if (!fromMetric && !fromLogs) continue;
    const pattern = logs.flatMap((l) => l.patterns).sort((a, b) => b.count - a.count)[0];
    const rate = fromMetric
      ? `${(metric!.current! * 100).toFixed(1)}% of requests failing${metric!.baseline !== undefined ? ` (baseline ${(metric!.baseline * 100).toFixed(1)}%)` : ''}`
      : `${errors}/${lines} recent log lines are errors`;
    out.push({
      analyzer: 'errors',
      category: 'ErrorBurst',
      kind: 'symptom',
      service,
      resource: `deployment/${service}`,
      description: `Deployment ${service}: error burst, ${rate}${pattern ? `; most frequent: ${pattern.pattern.slice(0, 160)}` : ''}`,
      evidence: unique([
        ...(fromMetric ? [metric!.id] : []),
        ...logs.filter((l) => l.errorLines > 0).map((l) => l.id),
        ...anomalyIds(evidence, service, 'error_rate'),
      ]),
      strength: fromMetric && fromLogs ? 0.85 : fromMetric ? 0.8 : 0.65,
      at: metric?.changedAt,
      issueType: 'high_error_rate',
      remediation: [`Look at what ${service} fails on (the top error pattern); roll back if it follows a deploy`],
      prevention: ['SLO-based alerting on the error budget burn rate'],
    });
  }
  return out;
};

const DURATION = /"?(?:duration_ms|latency_ms|elapsed_ms)"?\s*[:=]\s*(\d{1,7})/;

export const latencyRegression: Analyzer = (evidence) => {
  const out: Finding[] = [];
  for (const service of deploymentsOf(evidence)) {
    const metric = evidence.metrics.find((m) => m.service === service && m.signal === 'latency_p95');
    const fromMetric =
      metric && metric.current !== null && metric.baseline !== undefined && metric.current >= 2 * metric.baseline && metric.current - metric.baseline >= 0.05;
    const logs = evidence.logs.filter((l) => l.deployment === service && !l.previous);
    const durations = logs.flatMap((l) =>
      l.lines
        .map((line) => DURATION.exec(line)?.[1])
        .filter((d): d is string => !!d)
        .map(Number),
    );
    const logMedian = durations.length >= 10 ? median(durations) : undefined;
    const fromLogs = logMedian !== undefined && logMedian >= 500;
    if (!fromMetric && !fromLogs) continue;
    const ratio = fromMetric ? metric!.current! / metric!.baseline! : undefined;
    out.push({
      analyzer: 'latency',
      category: 'LatencyRegression',
      kind: 'symptom',
      service,
      resource: `deployment/${service}`,
      description: fromMetric
        ? `Deployment ${service}: p95 latency ${(metric!.current! * 1000).toFixed(0)} ms, ${ratio!.toFixed(1)}x its baseline of ${(metric!.baseline! * 1000).toFixed(0)} ms`
        : `Deployment ${service}: requests take ${logMedian} ms (median of ${durations.length} logged requests)`,
      evidence: unique([...(fromMetric ? [metric!.id] : []), ...(fromLogs ? logs.map((l) => l.id) : []), ...anomalyIds(evidence, service, 'latency_p95')]),
      strength: fromMetric ? (ratio! >= 5 ? 0.8 : 0.65) : 0.55,
      at: metric?.changedAt,
      issueType: 'high_latency',
      remediation: [`Find where ${service} spends the time (traces, slow dependency, saturation); scale out if it is load`],
      prevention: ['Latency SLO alerts on p95/p99', 'Timeouts and circuit breakers on every dependency call'],
    });
  }
  return out;
};
