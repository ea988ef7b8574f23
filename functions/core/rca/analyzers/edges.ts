/**
 * Calls that fail as their callers see them while the callee itself counts no errors (issue 21: "silent roots"):
 * the failures sit between the two (network, mesh policy, the callee's proxy, connection limits) or the callee
 * drops requests before it counts them. The callee is the place to look, not the caller whose errors follow.
 */
import type { Evidence } from '../evidence.ts';
import { ERROR_RATE } from './signals.ts';
import { unique, type Analyzer, type Finding } from './types.ts';

/** The callee's own error rate below this counts as "no errors of its own". */
const OWN_QUIET = 0.02;

export const callFailures: Analyzer = (evidence: Evidence) => {
  const graph = evidence.graph;
  const out: Finding[] = [];
  const byCallee = new Map<string, { from: string; errorRate: number; id: string }[]>();
  const add = (from: string, to: string, errorRate: number, id: string): void => {
    if (from === to || (byCallee.get(to) ?? []).some((f) => f.from === from)) return;
    byCallee.set(to, [...(byCallee.get(to) ?? []), { from, errorRate, id }]);
  };
  // the callers' view now against before (per-edge series), else the mesh's 5-minute edge error ratio
  for (const m of evidence.edgeMetrics ?? []) {
    if (m.metric !== 'errors' || m.current === null || m.current < ERROR_RATE) continue;
    if (m.baseline !== undefined && m.current < 3 * m.baseline + 0.01) continue;
    add(m.from, m.to, m.current, m.id);
  }
  // the 5-minute ratio remembers failures already over (a callee that had no ready pod a minute ago): only
  // without per-edge series
  if (!evidence.edgeMetrics?.length)
    for (const e of graph?.edges ?? []) if (e.errorRate !== undefined && e.errorRate >= ERROR_RATE) add(e.from, e.to, e.errorRate, graph!.id);
  for (const [callee, failing] of byCallee) {
    const own = evidence.metrics.find((m) => m.service === callee && m.signal === 'error_rate');
    if (!own || own.current === null || own.current >= OWN_QUIET) continue;
    const callerMetrics = evidence.metrics.filter((m) => failing.some((f) => f.from === m.service) && m.signal === 'error_rate');
    const worst = failing.sort((a, b) => b.errorRate - a.errorRate)[0];
    out.push({
      analyzer: 'call-failures',
      category: 'CallFailures',
      kind: 'cause',
      service: callee,
      resource: `deployment/${callee}`,
      description: `Calls to ${callee} fail as its callers see them (${failing.map((f) => `${f.from}: ${(f.errorRate * 100).toFixed(1)}%`).join(', ')}) while ${callee} itself reports ${(own.current * 100).toFixed(1)}% errors: the failures are between ${worst.from} and ${callee} (network, mesh policy, its proxy) or before ${callee} counts its requests`,
      evidence: unique([...failing.map((f) => f.id), own.id, ...callerMetrics.map((m) => m.id)]),
      strength: 0.8,
      at: callerMetrics
        .map((m) => m.changedAt)
        .filter((t): t is string => !!t)
        .sort()[0],
      issueType: 'high_error_rate',
      remediation: [
        `Check the path from ${worst.from} to ${callee}: its proxy's logs, network policies, mTLS settings, connection limits and ${callee}'s ready endpoints`,
      ],
      prevention: ["Alert on per-edge (client-side) error rates, not only on each service's own"],
    });
  }
  return out;
};
