/** Deployments short of available replicas, and Services with no ready endpoint. */
import { type Analyzer, type Finding } from './types.ts';

export const replicasUnavailable: Analyzer = (evidence) =>
  evidence.deployments
    .filter((d) => d.desired > 0 && d.available < d.desired)
    .map((d): Finding => {
      const condition =
        d.conditions.find((c) => c.type === 'Available' && c.status === 'False') ?? d.conditions.find((c) => c.type === 'Progressing' && c.status === 'False');
      return {
        analyzer: 'replicas',
        category: 'ReplicasUnavailable',
        kind: 'symptom',
        service: d.name,
        resource: `deployment/${d.name}`,
        description: `Deployment ${d.name}: ${d.available}/${d.desired} replicas available${condition?.message ? ` (${condition.message})` : ''}`,
        evidence: [d.id],
        strength: d.available === 0 ? 0.6 : 0.45,
        at: condition?.since,
        remediation: [`See why the pods of ${d.name} are not ready (the causes below)`],
        prevention: ['Alert on unavailable replicas; keep a PodDisruptionBudget'],
      };
    });

export const serviceEndpoints: Analyzer = (evidence) =>
  evidence.services
    .filter((s) => Object.keys(s.selector).length > 0 && s.readyAddresses === 0)
    .map((s): Finding => {
      const backing = evidence.deployments.find((d) => Object.entries(s.selector).every(([k, v]) => d.selector[k] === v));
      return {
        analyzer: 'endpoints',
        category: 'NoReadyEndpoints',
        kind: 'symptom',
        service: backing?.name ?? s.name,
        resource: `service/${s.name}`,
        description: `Service ${s.name} has no ready endpoints (${s.notReadyAddresses} not ready): every request to it fails`,
        evidence: [s.id],
        strength: 0.6,
        remediation: [`Get at least one pod behind ${s.name} ready`],
        prevention: ['Run at least two replicas on separate nodes'],
      };
    });
