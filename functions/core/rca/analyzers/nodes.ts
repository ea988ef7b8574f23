/** Nodes that host the service's pods: NotReady, or under memory / disk / PID pressure. */
import { podsByDeployment } from './pods.ts';
import { unique, type Analyzer, type Finding } from './types.ts';

export const nodeConditions: Analyzer = (evidence) => {
  const out: Finding[] = [];
  for (const [deployment, pods] of podsByDeployment(evidence)) {
    const hosts = unique(pods.map((p) => p.node).filter((n): n is string => !!n));
    for (const name of hosts) {
      const node = evidence.nodes.find((n) => n.name === name);
      if (!node) continue;
      const onNode = pods.filter((p) => p.node === name);
      const events = evidence.events.filter((e) => e.object.name === name && /NotReady|Pressure/i.test(`${e.reason} ${e.message}`));
      const ready = node.conditions.find((c) => c.type === 'Ready');
      if (!node.ready) {
        out.push({
          analyzer: 'node',
          category: 'NodeNotReady',
          kind: 'cause',
          service: deployment,
          resource: `node/${name}`,
          description: `Node ${name}, hosting ${onNode.length} pod(s) of deployment ${deployment}, is NotReady (${ready?.reason ?? 'unknown'}${ready?.message ? `: ${ready.message}` : ''})`,
          evidence: unique([node.id, ...onNode.map((p) => p.id), ...events.slice(0, 2).map((e) => e.id)]),
          strength: 0.9,
          at: ready?.since,
          issueType: 'node_not_ready',
          remediation: [`Cordon and drain ${name} so its pods move to healthy nodes; check the kubelet and the instance`],
          prevention: ['Spread replicas across nodes and zones (topology spread, PodDisruptionBudget)', 'Node auto-repair'],
        });
        continue;
      }
      const pressure = node.conditions.filter((c) => /Pressure$/.test(c.type) && c.status === 'True');
      if (pressure.length) {
        out.push({
          analyzer: 'node',
          category: 'NodePressure',
          kind: 'factor',
          service: deployment,
          resource: `node/${name}`,
          description: `Node ${name}, hosting pods of deployment ${deployment}, reports ${pressure.map((c) => c.type).join(', ')}`,
          evidence: unique([node.id, ...events.slice(0, 2).map((e) => e.id)]),
          strength: 0.6,
          at: pressure[0].since,
          remediation: [`Free or add ${pressure[0].type.replace('Pressure', '').toLowerCase()} on ${name}; evictions follow pressure`],
          prevention: ['Set requests so the scheduler does not overcommit nodes'],
        });
      }
    }
  }
  return out;
};
