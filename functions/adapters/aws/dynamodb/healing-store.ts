/**
 * Healing records, their append-only audit trail, and the atomic safety state, in the main table.
 *
 * Access patterns (pk / sk, gsi1pk / gsi1sk):
 * - healing by id            HEALING#<id> / META
 * - healings, newest first   gsi1: HEALINGS / <createdAt>#<id>
 * - audit trail              AUDIT#HEALING#<id> / AUDIT#<step>     (put if absent: never overwritten; IAM denies
 *                            updates and deletes on AUDIT# partitions. Rows written before that live
 *                            in HEALING#<id> / AUDIT#<step> and are still read.)
 * - action slots             HEALRATE#<cluster>#<ns>#<service> / SLOT#<n>   (held one hour, TTL)
 * - cool-down                HEALCOOL#<cluster>#<ns>#<service>#<issue> / COOLDOWN (TTL)
 * - kill switch              HEALING#CONTROL / KILL_SWITCH
 */
import { AUDIT_PARTITION_PREFIX } from '../../../definitions/table.ts';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClaimResult, HealingListFilter, HealingStore } from '../../../core/healing/ports.ts';
import type { AuditEntry, HealingRecord, HealingStatus } from '../../../core/healing/types.ts';
import { queryItems, ttlEpochSeconds } from './document-client.ts';

const META = 'META';
/** Audit rows' own partition (functions/definitions/table.ts AUDIT_PARTITION_PREFIX): IAM forbids changing them. */
const auditPk = (healingId: string) => `${AUDIT_PARTITION_PREFIX}HEALING#${healingId}`;
const KILL_SWITCH_KEY = { pk: 'HEALING#CONTROL', sk: 'KILL_SWITCH' };
const HOUR_MS = 3_600_000;
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'expiresAt']);

const healingKey = (id: string) => ({ pk: `HEALING#${id}`, sk: META });
const cooldownKey = (issue: string) => ({ pk: `HEALCOOL#${issue}`, sk: 'COOLDOWN' });
const slotKey = (service: string, slot: number) => ({ pk: `HEALRATE#${service}`, sk: `SLOT#${slot}` });

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

function cancellationCodes(error: unknown): string[] | undefined {
  if (error instanceof TransactionCanceledException || (error as { name?: string })?.name === 'TransactionCanceledException') {
    return ((error as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  }
  return undefined;
}

function toRecord(item: Record<string, unknown>): HealingRecord {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.has(k))) as unknown as HealingRecord;
}

export class DynamoHealingStore implements HealingStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async create(record: HealingRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...healingKey(record.id), gsi1pk: 'HEALINGS', gsi1sk: `${record.createdAt}#${record.id}`, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async get(id: string): Promise<HealingRecord | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: healingKey(id), ConsistentRead: true }));
    return out.Item ? toRecord(out.Item) : undefined;
  }

  async update(id: string, changes: Partial<HealingRecord>, condition: { statusIn?: HealingStatus[] } = {}): Promise<boolean> {
    const entries = Object.entries(changes).filter(([k, v]) => v !== undefined && k !== 'id');
    if (!entries.length) return true;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = entries.map(([k, v], i) => {
      names[`#a${i}`] = k;
      values[`:v${i}`] = v;
      return `#a${i} = :v${i}`;
    });
    let conditionExpression = 'attribute_exists(pk)';
    if (condition.statusIn?.length) {
      names['#status'] = 'status';
      const placeholders = condition.statusIn.map((s, i) => {
        values[`:s${i}`] = s;
        return `:s${i}`;
      });
      conditionExpression += ` AND #status IN (${placeholders.join(', ')})`;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: healingKey(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditionExpression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async audit(id: string, entry: AuditEntry): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: auditPk(id), sk: `AUDIT#${entry.step}`, healingId: id, ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async auditTrail(id: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    const steps = new Set<string>();
    // The audit partition, then rows written before audit rows had one (a step is recorded once).
    for (const pk of [auditPk(id), `HEALING#${id}`]) {
      for await (const item of queryItems(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
        ExpressionAttributeValues: { ':pk': pk, ':audit': 'AUDIT#' },
        ConsistentRead: true,
      })) {
        const { pk: _pk, sk, healingId: _id, ...entry } = item;
        if (steps.has(String(sk))) continue;
        steps.add(String(sk));
        entries.push(entry as unknown as AuditEntry);
      }
    }
    return entries.sort((a, b) => a.at.localeCompare(b.at));
  }

  async list(filter: HealingListFilter): Promise<HealingRecord[]> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': 'HEALINGS' };
    const filters: string[] = [];
    for (const [attribute, value] of [
      ['service', filter.service],
      ['status', filter.status],
      ['incidentId', filter.incidentId],
    ] as const) {
      if (value === undefined) continue;
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      filters.push(`#${attribute} = :${attribute}`);
    }
    const out: HealingRecord[] = [];
    for await (const item of queryItems(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: values,
      ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
      ScanIndexForward: false,
    })) {
      out.push(toRecord(item));
      if (out.length >= filter.limit) break;
    }
    return out;
  }

  async safetyState(keys: { service: string; issue: string }): Promise<{ killSwitch: boolean; cooldownUntil?: string }> {
    const out = await this.client.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: [KILL_SWITCH_KEY, cooldownKey(keys.issue)], ConsistentRead: true } } }),
    );
    const items = out.Responses?.[this.tableName] ?? [];
    const kill = items.find((i) => i.pk === KILL_SWITCH_KEY.pk);
    const cooldown = items.find((i) => i.sk === 'COOLDOWN');
    return { killSwitch: kill?.enabled === true, ...(typeof cooldown?.until === 'string' ? { cooldownUntil: cooldown.until } : {}) };
  }

  /**
   * Slot n of the service is free when absent or held past its hour. Each attempt is one
   * transaction: the slot, the issue's cool-down, and the kill switch, all or nothing.
   */
  async claimAction(input: {
    healingId: string;
    service: string;
    issue: string;
    now: Date;
    actionsPerHour: number;
    cooldownSeconds: number;
  }): Promise<ClaimResult> {
    const nowMs = input.now.getTime();
    const values = { ':now': nowMs, ':id': input.healingId };
    let conflicts = 0;
    for (let slot = 0; slot < input.actionsPerHour; slot++) {
      const until = nowMs + HOUR_MS;
      const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...slotKey(input.service, slot), healingId: input.healingId, untilMs: until, expiresAt: ttlEpochSeconds(new Date(until)) },
            ConditionExpression: 'attribute_not_exists(pk) OR untilMs <= :now OR healingId = :id',
            ExpressionAttributeValues: values,
          },
        },
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: KILL_SWITCH_KEY,
            ConditionExpression: 'attribute_not_exists(pk) OR enabled = :off',
            ExpressionAttributeValues: { ':off': false },
          },
        },
      ];
      if (input.cooldownSeconds > 0) {
        const cooldownUntil = nowMs + input.cooldownSeconds * 1000;
        items.push({
          Put: {
            TableName: this.tableName,
            Item: {
              ...cooldownKey(input.issue),
              healingId: input.healingId,
              untilMs: cooldownUntil,
              until: new Date(cooldownUntil).toISOString(),
              expiresAt: ttlEpochSeconds(new Date(cooldownUntil)),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR untilMs <= :now OR healingId = :id',
            ExpressionAttributeValues: values,
          },
        });
      }
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return { granted: true, slot };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        if (codes[1] === 'ConditionalCheckFailed') return { granted: false, reason: 'healing is switched off (kill switch flag)' };
        if (codes[2] === 'ConditionalCheckFailed') return { granted: false, reason: 'cool-down: the same issue on this service was acted on recently' };
        if (codes[0] === 'ConditionalCheckFailed') continue;
        // TransactionConflict: another claim touched the same items at this moment; the SDK's retries gave up.
        if (codes.includes('TransactionConflict')) {
          // Under a storm of triggers, back off and try the same slot again; past the budget the
          // trigger is skipped with the reason (never failed): the slots themselves stay exact.
          if (++conflicts > 60) return { granted: false, reason: 'rate limit: too many simultaneous triggers on this service, this one was skipped' };
          slot--;
          await new Promise((r) => setTimeout(r, Math.min(500, 20 * 2 ** Math.min(conflicts, 5)) * (0.5 + Math.random())));
          continue;
        }
        throw error;
      }
    }
    return { granted: false, reason: `rate limit: ${input.actionsPerHour} actions on this service in the last hour` };
  }

  async setKillSwitch(enabled: boolean, by: string, now: Date): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...KILL_SWITCH_KEY, enabled, by, at: now.toISOString() } }));
  }
}
