import { describe, expect, it } from 'vitest';
import { detectConditions, serviceOfPod } from '../../../functions/core/kube-state/conditions.ts';
import { advance } from '../../../functions/core/kube-state/tracker.ts';
import { DEFAULT_KUBE_STATE_CONFIG, type KubeContainerStatus, type KubePodState } from '../../../functions/core/kube-state/types.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();

function pod(
  name: string,
  containers: Partial<KubeContainerStatus>[],
  extra: Partial<KubePodState['status']> = {},
  deployment = 'web',
  hash = '5d8f9c7b6',
): KubePodState {
  return {
    metadata: {
      name: `${deployment}-${hash}-${name}`,
      namespace: 'shop',
      uid: `uid-${name}`,
      labels: { app: deployment, 'pod-template-hash': hash },
      creationTimestamp: ago(3600),
      ownerReferences: [{ kind: 'ReplicaSet', name: `${deployment}-${hash}`, controller: true }],
    },
    status: {
      phase: 'Running',
      containerStatuses: containers.map((c) => ({ name: 'app', restartCount: 0, ready: true, state: { running: {} }, ...c })),
      ...extra,
    },
  };
}
const detect = (pods: KubePodState[], opts: { previousRestarts?: Record<string, number>; nodes?: any[]; deployments?: any[]; namespaces?: string[] } = {}) =>
  detectConditions({
    pods,
    deployments: opts.deployments ?? [],
    nodes: opts.nodes ?? [],
    namespaces: opts.namespaces ?? ['shop'],
    previousRestarts: opts.previousRestarts,
    now: NOW,
    config: DEFAULT_KUBE_STATE_CONFIG,
  });

describe('kube-state conditions', () => {
  it('a healthy pod has no condition', () => {
    expect(detect([pod('a', [{}])]).conditions).toEqual([]);
  });

  it('attributes pods to their deployment through the ReplicaSet hash; StatefulSet pods to the set; bare pods to themselves', () => {
    expect(serviceOfPod(pod('a', [], {}, 'payment-service'))).toBe('payment-service');
    expect(serviceOfPod({ metadata: { name: 'db-0', ownerReferences: [{ kind: 'StatefulSet', name: 'db', controller: true }] } })).toBe('db');
    expect(serviceOfPod({ metadata: { name: 'debug' } })).toBe('debug');
  });

  it('CrashLoopBackOff → KubePodCrashLooping, one condition per deployment listing its pods', () => {
    const waiting = {
      restartCount: 4,
      ready: false,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(5) } },
    };
    const { conditions } = detect([pod('a', [waiting]), pod('b', [waiting])]);
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({
      key: 'shop/web/KubePodCrashLooping',
      type: 'KubePodCrashLooping',
      issueType: 'pod_crash_loop',
      namespace: 'shop',
      service: 'web',
      severity: 'high',
    });
    expect(conditions[0].objects).toEqual(['web-5d8f9c7b6-a/app', 'web-5d8f9c7b6-b/app']);
    expect(conditions[0].message).toContain('4 restarts');
  });

  it('rising restart counts count even while the container runs; a stale restart count does not', () => {
    const running = { restartCount: 3, state: { running: {} }, lastState: { terminated: { reason: 'Error', exitCode: 2, finishedAt: ago(3000) } } };
    expect(detect([pod('a', [running])], { previousRestarts: { 'uid-a/app': 2 } }).conditions.map((c) => c.type)).toEqual(['KubePodCrashLooping']);
    expect(detect([pod('a', [running])], { previousRestarts: { 'uid-a/app': 3 } }).conditions).toEqual([]);
    // first look: a restart 50 minutes ago is history, not a current problem
    expect(detect([pod('a', [running])]).conditions).toEqual([]);
    expect(detect([pod('a', [running])]).restarts).toEqual({ 'uid-a/app': 3 });
  });

  it('OOMKilled as last termination with a back-off or a new restart → KubePodOOMKilled (not crash looping)', () => {
    const oom = {
      restartCount: 2,
      ready: false,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(3) } },
    };
    expect(detect([pod('a', [oom])]).conditions.map((c) => [c.type, c.issueType])).toEqual([['KubePodOOMKilled', 'high_memory']]);
    // fault gone: running again, no new restart → nothing, though lastState still says OOMKilled
    const recovered = { restartCount: 2, state: { running: {} }, lastState: oom.lastState };
    expect(detect([pod('a', [recovered])], { previousRestarts: { 'uid-a/app': 2 } }).conditions).toEqual([]);
  });

  it('image pull, config errors, unschedulable and long-pending pods', () => {
    const pull = pod('a', [{ ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x:1-nonexistent"' } } }], {
      phase: 'Pending',
    });
    const cfg = pod(
      'b',
      [{ ready: false, state: { waiting: { reason: 'CreateContainerConfigError', message: 'configmap "web-config" not found' } } }],
      { phase: 'Pending' },
      'api',
    );
    const unsched = (since: number) => ({
      ...pod(
        'c',
        [],
        {
          phase: 'Pending',
          containerStatuses: [],
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/3 nodes are available: 3 Insufficient cpu.',
              lastTransitionTime: ago(since),
            },
          ],
        },
        'batch',
      ),
    });
    const stuck = {
      ...pod('d', [], { phase: 'Pending', containerStatuses: [] }, 'worker'),
      metadata: { ...pod('d', [], {}, 'worker').metadata, creationTimestamp: ago(400) },
    };
    const { conditions } = detect([pull, cfg, unsched(45), stuck]);
    expect(conditions.map((c) => `${c.service}:${c.type}`)).toEqual([
      'api:KubePodContainerConfigError',
      'batch:KubePodUnschedulable',
      'web:KubePodImagePullBackOff',
      'worker:KubePodNotReady',
    ]);
    expect(conditions.find((c) => c.type === 'KubePodContainerConfigError')!.message).toContain('configmap "web-config" not found');
    // inside the grace period: not yet
    expect(detect([unsched(10)]).conditions).toEqual([]);
  });

  it('deployments: stuck rollout and replicas unavailable past progressDeadlineSeconds', () => {
    const d = (availableFor: number, progressing = 'True') => ({
      metadata: { name: 'web', namespace: 'shop' },
      spec: { replicas: 3, progressDeadlineSeconds: 600 },
      status: {
        availableReplicas: 1,
        unavailableReplicas: 2,
        conditions: [
          { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', lastTransitionTime: ago(availableFor) },
          { type: 'Progressing', status: progressing, reason: progressing === 'False' ? 'ProgressDeadlineExceeded' : 'ReplicaSetUpdated' },
        ],
      },
    });
    expect(detect([], { deployments: [d(100)] }).conditions).toEqual([]);
    expect(detect([], { deployments: [d(700)] }).conditions.map((c) => c.type)).toEqual(['KubeDeploymentReplicasMismatch']);
    expect(
      detect([], { deployments: [d(700, 'False')] })
        .conditions.map((c) => c.type)
        .sort(),
    ).toEqual(['KubeDeploymentReplicasMismatch', 'KubeDeploymentRolloutStuck']);
  });

  it('NotReady nodes past the grace period → KubeNodeNotReady on the cluster-level service node/<name>', () => {
    const node = (status: string, since: number) => ({
      metadata: { name: 'w1' },
      status: {
        conditions: [{ type: 'Ready', status, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: ago(since) }],
      },
    });
    expect(detect([], { nodes: [node('True', 999)] }).conditions).toEqual([]);
    expect(detect([], { nodes: [node('Unknown', 5)] }).conditions).toEqual([]);
    expect(detect([], { nodes: [node('Unknown', 60)] }).conditions[0]).toMatchObject({
      type: 'KubeNodeNotReady',
      namespace: 'kube-system',
      service: 'node/w1',
      severity: 'critical',
      issueType: 'node_not_ready',
      reason: 'NodeStatusUnknown',
    });
  });

  it('pods outside the pulled namespaces are ignored', () => {
    const crash = pod('a', [{ restartCount: 9, state: { waiting: { reason: 'CrashLoopBackOff' } } }]);
    expect(detect([crash], { namespaces: ['payments'] }).conditions).toEqual([]);
  });
});

describe('kube-state lifecycle', () => {
  const cfg = { resolveAfterPulls: 2, refireSeconds: 3600 };
  const cond = (severity: 'high' | 'critical' = 'high') =>
    detect([pod('a', [{ restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }])]).conditions.map((c) => ({ ...c, severity }));
  const step = (prev: any, conditions: any[], at: Date, pullId: string) =>
    advance(prev, { clusterId: 'c1', cluster: 'dev', pullId, conditions, restarts: {} }, at, cfg);
  const t = (s: number) => new Date(NOW.getTime() + s * 1000);

  it('fires once, stays quiet while present, resolves after K consecutive absent pulls', () => {
    const p1 = step(undefined, cond(), t(0), 'p1');
    expect(p1.firing.map((c) => c.key)).toEqual(['shop/web/KubePodCrashLooping']);
    const p2 = step(p1.next, cond(), t(10), 'p2');
    expect(p2.firing).toEqual([]);
    const p3 = step(p2.next, [], t(20), 'p3');
    expect(p3.resolved).toEqual([]);
    expect(p3.next.active['shop/web/KubePodCrashLooping'].missing).toBe(1);
    // back before K: no resolve, no re-fire, the missing count restarts
    const p4 = step(p3.next, cond(), t(30), 'p4');
    expect([p4.firing, p4.resolved]).toEqual([[], []]);
    const p5 = step(p4.next, [], t(40), 'p5');
    const p6 = step(p5.next, [], t(50), 'p6');
    expect(p6.resolved.map((c) => c.key)).toEqual(['shop/web/KubePodCrashLooping']);
    expect(p6.resolved[0].since).toBe(t(0).toISOString());
    expect(p6.next.active).toEqual({});
    expect(p6.next.version).toBe(6);
  });

  it('sends again when the severity rises or after refireSeconds', () => {
    const p1 = step(undefined, cond(), t(0), 'p1');
    expect(step(p1.next, cond('critical'), t(10), 'p2').firing).toHaveLength(1);
    expect(step(p1.next, cond(), t(3600), 'p2').firing).toHaveLength(1);
  });
});
