/** In-memory cluster ports: the DynamoDB store's rules (unique names, conditional status moves) over a map, and a scriptable gateway. */
import { ConflictError } from '../../../functions/core/errors.ts';
import type { ClusterRecord, ClusterStore } from '../../../functions/core/clusters/cluster-record.ts';
import type { AccessReviewer, ClusterProbe, ClusterTarget, ClusterVersion, KubeGateway } from '../../../functions/core/clusters/kube-gateway-port.ts';
import type { SafeKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import type { ResourceRule } from '../../../functions/core/clusters/permissions.ts';

export class InMemoryClusterStore implements ClusterStore {
  readonly records = new Map<string, ClusterRecord>();
  async create(record: ClusterRecord): Promise<void> {
    if ([...this.records.values()].some((r) => r.name === record.name))
      throw new ConflictError(`A cluster named ${record.name} is already registered`, 'CLUSTER_EXISTS');
    this.records.set(record.id, structuredClone(record));
  }
  async get(id: string): Promise<ClusterRecord | undefined> {
    const r = this.records.get(id);
    return r && structuredClone(r);
  }
  async getByName(name: string): Promise<ClusterRecord | undefined> {
    const r = [...this.records.values()].find((c) => c.name === name);
    return r && structuredClone(r);
  }
  async list(): Promise<ClusterRecord[]> {
    return [...this.records.values()].map((r) => structuredClone(r));
  }
  async delete(id: string): Promise<boolean> {
    return this.records.delete(id);
  }
  async update(id: string, changes: Partial<Omit<ClusterRecord, 'id' | 'name' | 'createdAt'>>): Promise<ClusterRecord | undefined> {
    const r = this.records.get(id);
    if (!r) return undefined;
    const next = { ...r, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) } as ClusterRecord;
    this.records.set(id, next);
    return structuredClone(next);
  }
  async transitionStatus(id: string, expected: ClusterRecord['status'], next: ClusterRecord['status'], at: string): Promise<boolean> {
    const r = this.records.get(id);
    if (!r || r.status !== expected) return false;
    this.records.set(id, { ...r, status: next, lastCheckedAt: at, updatedAt: at });
    return true;
  }
}

/** A gateway whose servers answer with a version, or are down; its rules reviews answer from `rules` (namespace → rules). */
export class FakeKubeGateway implements KubeGateway<ClusterProbe> {
  readonly down = new Set<string>();
  namespaces = ['default', 'kube-system'];
  rules: Record<string, ResourceRule[]> = {};
  /** Every rules review fails with this error (a 403, say). */
  reviewError?: Error;
  readonly reviewed: string[] = [];
  readonly forgotten: string[] = [];
  readonly clientsBuilt: ClusterTarget[] = [];
  version = async (creds: SafeKubeconfig): Promise<ClusterVersion> => {
    if (this.down.has(creds.server)) throw new Error(`connect ECONNREFUSED ${creds.server}`);
    return { gitVersion: 'v1.31.2', platform: 'linux/amd64' };
  };
  async accessReviewer(): Promise<AccessReviewer> {
    return {
      namespaceNames: async () => this.namespaces,
      rulesIn: async (namespace) => {
        if (this.reviewError) throw this.reviewError;
        this.reviewed.push(namespace);
        return { namespace, rules: this.rules[namespace] ?? this.rules['*'] ?? [], incomplete: false };
      },
    };
  }
  async client(target: ClusterTarget): Promise<ClusterProbe> {
    this.clientsBuilt.push(target);
    return { version: () => this.version(target.creds) };
  }
  forget(clusterId: string): void {
    this.forgotten.push(clusterId);
  }
}
