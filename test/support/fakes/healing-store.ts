/** In-memory HealingStore: the DynamoDB store's rules (put-if-absent records and audit steps, conditional status updates) over maps. */
import type { ClaimResult, HealingStore } from '../../../functions/core/healing/ports.ts';
import type { AuditEntry, HealingRecord } from '../../../functions/core/healing/types.ts';

export class InMemoryHealingStore implements HealingStore {
  readonly records = new Map<string, HealingRecord>();
  readonly audits = new Map<string, AuditEntry[]>();
  killSwitch = false;
  /** Action slots granted so far (every claim is granted: rate limits are DynamoDB's test, not this fake's). */
  claims = 0;

  async create(record: HealingRecord) {
    if (this.records.has(record.id)) return false;
    this.records.set(record.id, structuredClone(record));
    return true;
  }
  async get(id: string) {
    const r = this.records.get(id);
    return r ? structuredClone(r) : undefined;
  }
  async update(id: string, changes: Partial<HealingRecord>, condition?: { statusIn?: HealingRecord['status'][] }) {
    const r = this.records.get(id);
    if (!r || (condition?.statusIn && !condition.statusIn.includes(r.status))) return false;
    this.records.set(id, { ...r, ...structuredClone(changes) });
    return true;
  }
  async audit(id: string, entry: AuditEntry) {
    const list = this.audits.get(id) ?? [];
    if (list.some((e) => e.step === entry.step)) return false;
    list.push(entry);
    this.audits.set(id, list);
    return true;
  }
  async auditTrail(id: string) {
    return this.audits.get(id) ?? [];
  }
  async list() {
    return [...this.records.values()];
  }
  async safetyState() {
    return { killSwitch: this.killSwitch };
  }
  async claimAction(): Promise<ClaimResult> {
    this.claims++;
    return { granted: true, slot: this.claims };
  }
  async setKillSwitch() {}
}
