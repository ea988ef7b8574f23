/**
 * The model's tools: read-only views of the evidence already collected (it never reaches the
 * cluster itself). Each answer is bounded in size.
 */
import type { Finding } from './analyzers/index.ts';
import type { Evidence } from './evidence.ts';

export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

const filterProp = (what: string) => ({
  type: 'object',
  properties: { name: { type: 'string', description: `Only this ${what} (substring match); omit for all` } },
  required: [],
});

export const RCA_TOOLS: ToolSpec[] = [
  {
    name: 'get_pods',
    description: 'Pods with container states (waiting reason, last termination reason and exit code, restarts, limits) and conditions.',
    inputSchema: filterProp('pod or deployment'),
  },
  { name: 'get_events', description: 'Recent Kubernetes events (reason, message, object, count).', inputSchema: filterProp('involved object') },
  {
    name: 'get_logs',
    description: 'Last log lines of failing or target containers, with error pattern counts (already redacted).',
    inputSchema: filterProp('pod'),
  },
  {
    name: 'get_metrics',
    description: 'Golden signals per service (current vs baseline, when it changed), live cpu/memory usage against limits, and anomaly records.',
    inputSchema: filterProp('service'),
  },
  {
    name: 'get_rollout_history',
    description: 'Recent rollouts per deployment: revision, time and what changed in the pod template.',
    inputSchema: filterProp('deployment'),
  },
  {
    name: 'get_findings',
    description: "The rule analyzers' findings (category, resource, description, evidence ids, strength), plus nodes, services and the dependency graph.",
    inputSchema: { type: 'object', properties: {}, required: [] },
  },
];

const MAX_RESULT_CHARS = 8000;

function bounded(value: unknown): unknown {
  const text = JSON.stringify(value);
  if (text.length <= MAX_RESULT_CHARS) return value;
  return { truncated: true, text: text.slice(0, MAX_RESULT_CHARS) };
}

const matches = (filter: string | undefined, ...values: (string | undefined)[]) => !filter || values.some((v) => v?.includes(filter));

export function runTool(name: string, input: unknown, evidence: Evidence, findings: Finding[]): unknown {
  const filter = typeof (input as { name?: unknown })?.name === 'string' ? (input as { name: string }).name || undefined : undefined;
  switch (name) {
    case 'get_pods':
      return bounded(evidence.pods.filter((p) => matches(filter, p.name, p.deployment)).slice(0, 30));
    case 'get_events':
      return bounded(evidence.events.filter((e) => matches(filter, e.object.name)).slice(0, 40));
    case 'get_logs':
      return bounded(evidence.logs.filter((l) => matches(filter, l.pod, l.deployment)).map((l) => ({ ...l, lines: l.lines.slice(-25) })));
    case 'get_metrics':
      return bounded({
        signals: evidence.metrics.filter((m) => matches(filter, m.service)),
        usage: evidence.usage.filter((u) => matches(filter, u.deployment, u.pod)),
        anomalies: evidence.anomalies.filter((a) => matches(filter, a.service)),
      });
    case 'get_rollout_history':
      return bounded(evidence.rollouts.filter((r) => matches(filter, r.deployment)));
    case 'get_findings':
      return bounded({
        findings: findings.map(({ category, kind, resource, description, evidence: ids, strength }) => ({
          category,
          kind,
          resource,
          description,
          evidence: ids,
          strength,
        })),
        nodes: evidence.nodes.filter((n) => !n.ready || n.conditions.some((c) => c.type !== 'Ready' && c.status === 'True')),
        services: evidence.services,
        graph: evidence.graph,
        missingSources: evidence.errors,
      });
    default:
      return { error: `unknown tool ${name}` };
  }
}
