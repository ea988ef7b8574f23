import { emptyEvidence, type ContainerEvidence, type Evidence, type PodEvidence } from '../../../functions/core/rca/evidence.ts';

export const AT = '2026-12-01T12:00:00.000Z';

export function evidence(service = 'payment-service'): Evidence {
  return emptyEvidence({ rcaId: 'rca-1', clusterId: 'c1', cluster: 'dev', namespace: 'shop', service, severity: 'high', at: AT });
}

export function container(pod: string, over: Partial<ContainerEvidence> = {}): ContainerEvidence {
  return {
    id: `container:${pod}/app`,
    name: 'app',
    image: 'ghcr.io/shop/app:1.0',
    ready: true,
    restarts: 0,
    state: 'running',
    limits: { cpu: 0.5, memory: 512 * 1024 * 1024 },
    requests: { cpu: 0.1, memory: 128 * 1024 * 1024 },
    envNames: [],
    secretEnvNames: [],
    configMapRefs: [],
    probes: { liveness: true, readiness: true },
    ...over,
  };
}

export function pod(deployment: string, suffix: string, containerOver: Partial<ContainerEvidence> = {}, over: Partial<PodEvidence> = {}): PodEvidence {
  const name = `${deployment}-abc123-${suffix}`;
  return {
    id: `pod:${name}`,
    name,
    deployment,
    node: 'node-1',
    phase: 'Running',
    ready: containerOver.ready ?? true,
    createdAt: '2026-12-01T11:00:00.000Z',
    conditions: [],
    containers: [container(name, containerOver)],
    ...over,
  };
}
