// One simulated cluster: the store, the controllers, the kubelet, faults and the metrics model, ticking together.
import { Store } from './store.ts';
import { EventRecorder } from './events.ts';
import { reconcileControllers } from './controller.ts';
import { runScheduler } from './scheduler.ts';
import { runKubelet } from './kubelet.ts';
import { MetricsModel } from './metrics.ts';
import type { Fault } from './faults.ts';
import { runTokenController, TokenAuthority } from './rbac.ts';
import type { Obj } from './util.ts';

export interface ContainerRuntime {
  restartCount: number;
  state: 'waiting' | 'running';
  waitingReason?: string;
  waitingMessage?: string;
  startedAt?: number;
  everStarted: boolean;
  imagePulled: boolean;
  lastTerminated?: { reason: string; exitCode: number; startedAt: number; finishedAt: number };
  nextActionAt: number;
  lastEventAt: number;
}

export interface PodRuntime {
  uid: string;
  createdAt: number;
  containers: Map<string, ContainerRuntime>;
  lastSchedulingAttempt: number;
  notReadyEventFor?: string;
}

export class Cluster {
  readonly name: string;
  readonly seed: number;
  readonly store = new Store();
  readonly events: EventRecorder;
  readonly runtime = new Map<string, PodRuntime>();
  readonly faults = new Map<string, Fault>();
  readonly metrics: MetricsModel;
  readonly startedAt = Date.now();
  /** bearer tokens → ServiceAccounts (TokenRequest, Secret tokens, the admin token) */
  readonly tokens: TokenAuthority = new TokenAuthority(this);
  private timer: NodeJS.Timeout | undefined;
  private reconciling = false;
  private podIpCounter = 0;

  constructor(name: string, seed: number) {
    this.name = name;
    this.seed = seed;
    this.events = new EventRecorder(this.store);
    this.metrics = new MetricsModel(this);
  }

  nextPodIp(nodeIndex: number): string {
    this.podIpCounter++;
    return `10.244.${nodeIndex}.${(this.podIpCounter % 250) + 2}`;
  }

  /** Runs every control loop until the cluster state stops changing (bounded). */
  reconcile(): void {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      for (let i = 0; i < 12; i++) {
        const before = this.store.currentRv();
        reconcileControllers(this);
        runScheduler(this);
        runKubelet(this);
        runTokenController(this, this.tokens);
        if (this.store.currentRv() === before) break;
      }
    } finally {
      this.reconciling = false;
    }
  }

  tick(): void {
    this.reconcile();
    this.metrics.advance(Date.now());
    this.events.prune();
  }

  start(intervalMs = 1000): void {
    this.reconcile();
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (e) {
        process.stderr.write(`sim ${this.name}: tick failed: ${(e as Error).stack}\n`);
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Faults active for a deployment (by namespace/name). */
  faultsFor(namespace: string, deployment: string | undefined): Fault[] {
    if (!deployment) return [];
    return [...this.faults.values()].filter((f) => f.namespace === namespace && f.deployment === deployment);
  }

  /** Walks pod -> ReplicaSet -> Deployment ownerReferences. */
  deploymentOfPod(pod: Obj): string | undefined {
    const ref = (pod.metadata?.ownerReferences ?? []).find((r: Obj) => r.controller);
    if (!ref) return undefined;
    if (ref.kind === 'StatefulSet') return ref.name;
    if (ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.store.get('replicasets', pod.metadata.namespace, ref.name);
    const dref = (rs?.metadata?.ownerReferences ?? []).find((r: Obj) => r.controller && r.kind === 'Deployment');
    return dref?.name;
  }

  /** Saves an object only when it differs from what is stored (no resourceVersion churn). */
  saveIfChanged(resource: string, obj: Obj): boolean {
    const cur = this.store.get(resource, obj.metadata.namespace, obj.metadata.name);
    if (!cur) return false;
    const a = { ...cur, metadata: { ...cur.metadata, resourceVersion: '' } };
    const b = { ...obj, metadata: { ...obj.metadata, resourceVersion: '' } };
    if (JSON.stringify(a) === JSON.stringify(b)) return false;
    this.store.update(resource, obj);
    return true;
  }
}
