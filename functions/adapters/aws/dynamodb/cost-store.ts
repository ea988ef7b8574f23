import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CapacitySeries } from '../../../core/cost/capacity.ts';
import type { CostPullRecord, CostStore, DailyCostRow } from '../../../core/cost/ports.ts';
import type { UsageDay } from '../../../core/cost/rightsizing.ts';
import { queryItems, ttlEpochSeconds } from './document-client.ts';

/** Cost rows are kept for 13 months (a year-on-year comparison), usage evidence for 35 days, pull markers for 2 days. */
const COST_RETENTION_MS = 400 * 86_400_000;
const USAGE_RETENTION_MS = 35 * 86_400_000;
const MARKER_RETENTION_MS = 2 * 86_400_000;
const CHUNK = 99;

const costPk = (date: string) => `COSTDAY#${date}`;
const usagePk = (date: string) => `USAGE#${date}`;
const CLUSTER_ROW = '~';

type Write = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`) && out.length < 800; t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/**
 * Daily cost and usage aggregates (single table):
 * - cost of a day              COSTDAY#<date> / <clusterId>#<namespace>#<service>   (ADD per pull)
 * - a cluster's day            COSTDAY#<date> / <clusterId>#~                       (node total, idle, $/core-h, $/GiB-h)
 * - usage evidence of a day    USAGE#<date> / <clusterId>#<namespace>#<workload>#<container> (5 %-bucket histograms, OOM kills, throttled samples)
 * - pull applied once          COSTPULL#<clusterId> / <pullId>#<chunk>             (conditional put in the same transaction, TTL)
 * - capacity series            CAPACITY#<clusterId> / <namespace>#<workload>#<container> (last points, breach state; TTL 1 day)
 * One Query per day reads the fleet's costs: 60 for a 30-day report with its previous window. The day
 * partition takes one update per workload per cluster per pull; beyond ~1,000 writes/s it should be sharded.
 */
export class DynamoCostStore implements CostStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async recordPull(r: CostPullRecord): Promise<boolean> {
    const T = this.#tableName;
    const costExpires = ttlEpochSeconds(new Date(r.at.getTime() + COST_RETENTION_MS));
    const usageExpires = ttlEpochSeconds(new Date(r.at.getTime() + USAGE_RETENTION_MS));
    const writes: Write[] = [];
    const a = r.allocation;
    writes.push({
      Update: {
        TableName: T,
        Key: { pk: costPk(r.date), sk: `${r.clusterId}#${CLUSTER_ROW}` },
        UpdateExpression: 'ADD #cost :cost, #idle :idle SET #entity = :e, #cluster = :cluster, #rc = :rc, #rm = :rm, #x = :x',
        ExpressionAttributeNames: {
          '#cost': 'cost',
          '#idle': 'idle',
          '#entity': 'entity',
          '#cluster': 'cluster',
          '#rc': 'rateCpu',
          '#rm': 'rateMem',
          '#x': 'expiresAt',
        },
        ExpressionAttributeValues: {
          ':cost': a.total,
          ':idle': a.idle,
          ':e': 'cost-day',
          ':cluster': r.cluster,
          ':rc': a.rates.cpuCoreHour,
          ':rm': a.rates.memoryGiBHour,
          ':x': costExpires,
        },
      },
    });
    for (const item of a.items) {
      writes.push({
        Update: {
          TableName: T,
          Key: { pk: costPk(r.date), sk: `${r.clusterId}#${item.namespace}#${item.service}` },
          UpdateExpression: 'ADD #cost :cost, #cc :cc, #mc :mc SET #entity = :e, #cluster = :cluster, #ns = :ns, #svc = :svc, #x = :x',
          ExpressionAttributeNames: {
            '#cost': 'cost',
            '#cc': 'cpuCost',
            '#mc': 'memoryCost',
            '#entity': 'entity',
            '#cluster': 'cluster',
            '#ns': 'namespace',
            '#svc': 'service',
            '#x': 'expiresAt',
          },
          ExpressionAttributeValues: {
            ':cost': item.cost,
            ':cc': item.cpuCost,
            ':mc': item.memoryCost,
            ':e': 'cost-day',
            ':cluster': r.cluster,
            ':ns': item.namespace,
            ':svc': item.service,
            ':x': costExpires,
          },
        },
      });
    }
    for (const u of r.usage) {
      const names: Record<string, string> = {
        '#n': 'samples',
        '#p': 'pulls',
        '#o': 'oomKills',
        '#t': 'throttled',
        '#entity': 'entity',
        '#cluster': 'cluster',
        '#ns': 'namespace',
        '#w': 'workload',
        '#c': 'container',
        '#x': 'expiresAt',
        '#rc': 'rateCpu',
        '#rm': 'rateMem',
      };
      const values: Record<string, unknown> = {
        ':n': u.samples,
        ':one': 1,
        ':o': u.oomKills,
        ':t': u.throttled,
        ':e': 'usage-day',
        ':cluster': r.cluster,
        ':ns': u.namespace,
        ':w': u.workload,
        ':c': u.container,
        ':x': usageExpires,
        ':rc': a.rates.cpuCoreHour,
        ':rm': a.rates.memoryGiBHour,
      };
      const adds = ['#n :n', '#p :one', '#o :o', '#t :t'];
      for (const [k, v] of Object.entries(u.cpu)) {
        names[`#c${k}`] = `c${k}`;
        values[`:c${k}`] = v;
        adds.push(`#c${k} :c${k}`);
      }
      for (const [k, v] of Object.entries(u.memory)) {
        names[`#m${k}`] = `m${k}`;
        values[`:m${k}`] = v;
        adds.push(`#m${k} :m${k}`);
      }
      const sets = ['#entity = :e', '#cluster = :cluster', '#ns = :ns', '#w = :w', '#c = :c', '#x = :x', '#rc = :rc', '#rm = :rm'];
      const removes: string[] = [];
      const resources: [string, number | undefined][] = [
        ['reqCpu', u.requests.cpu],
        ['reqMem', u.requests.memory],
        ['limCpu', u.limits.cpu],
        ['limMem', u.limits.memory],
      ];
      for (const [attr, v] of resources) {
        names[`#${attr}`] = attr;
        if (v === undefined) removes.push(`#${attr}`);
        else {
          values[`:${attr}`] = v;
          sets.push(`#${attr} = :${attr}`);
        }
      }
      writes.push({
        Update: {
          TableName: T,
          Key: { pk: usagePk(r.date), sk: `${r.clusterId}#${u.namespace}#${u.workload}#${u.container}` },
          UpdateExpression: `ADD ${adds.join(', ')} SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      });
    }
    let applied = false;
    const markerExpires = ttlEpochSeconds(new Date(r.at.getTime() + MARKER_RETENTION_MS));
    for (let i = 0, chunk = 0; i < writes.length; i += CHUNK, chunk++) {
      const marker: Write = {
        Put: {
          TableName: T,
          Item: { pk: `COSTPULL#${r.clusterId}`, sk: `${r.pullId}#${chunk}`, entity: 'cost-pull', expiresAt: markerExpires },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
      try {
        await this.#client.send(new TransactWriteCommand({ TransactItems: [marker, ...writes.slice(i, i + CHUNK)] }));
        applied = true;
      } catch (error) {
        const reasons = (error as TransactionCanceledException).CancellationReasons;
        const already =
          (error instanceof TransactionCanceledException || (error as { name?: string }).name === 'TransactionCanceledException') &&
          reasons?.[0]?.Code === 'ConditionalCheckFailed';
        if (!already) throw error;
      }
    }
    return applied;
  }

  async daily(from: string, to: string): Promise<DailyCostRow[]> {
    const days = await Promise.all(
      datesBetween(from, to).map(async (date) => {
        const rows: DailyCostRow[] = [];
        for await (const item of queryItems(this.#client, {
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': costPk(date) },
        })) {
          const [clusterId, namespace, service] = String(item.sk).split('#');
          if (namespace === CLUSTER_ROW) {
            rows.push({
              date,
              clusterId: clusterId!,
              cluster: String(item.cluster),
              cost: Number(item.cost ?? 0),
              idle: Number(item.idle ?? 0),
              rates: { cpuCoreHour: Number(item.rateCpu ?? 0), memoryGiBHour: Number(item.rateMem ?? 0) },
            });
          } else {
            rows.push({ date, clusterId: clusterId!, cluster: String(item.cluster), namespace: namespace!, service: service!, cost: Number(item.cost ?? 0) });
          }
        }
        return rows;
      }),
    );
    return days.flat();
  }

  async usage(from: string, to: string): Promise<UsageDay[]> {
    const days = await Promise.all(
      datesBetween(from, to).map(async (date) => {
        const rows: UsageDay[] = [];
        for await (const item of queryItems(this.#client, {
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': usagePk(date) },
        })) {
          const cpu: Record<number, number> = {};
          const memory: Record<number, number> = {};
          for (const [k, v] of Object.entries(item)) {
            const m = /^([cm])(\d+)$/.exec(k);
            if (m) (m[1] === 'c' ? cpu : memory)[Number(m[2])] = Number(v);
          }
          const num = (v: unknown) => (v === undefined || v === null ? undefined : Number(v));
          const req = { cpu: num(item.reqCpu), memory: num(item.reqMem) };
          const lim = { cpu: num(item.limCpu), memory: num(item.limMem) };
          rows.push({
            date,
            clusterId: String(item.sk).split('#')[0]!,
            cluster: String(item.cluster),
            namespace: String(item.namespace),
            workload: String(item.workload),
            container: String(item.container),
            samples: Number(item.samples ?? 0),
            pulls: Number(item.pulls ?? 0),
            oomKills: Number(item.oomKills ?? 0),
            throttled: Number(item.throttled ?? 0),
            cpu,
            memory,
            requests: Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined)),
            limits: Object.fromEntries(Object.entries(lim).filter(([, v]) => v !== undefined)),
            rates: { cpuCoreHour: Number(item.rateCpu ?? 0), memoryGiBHour: Number(item.rateMem ?? 0) },
          });
        }
        return rows;
      }),
    );
    return days.flat();
  }

  async capacity(clusterId: string): Promise<CapacitySeries[]> {
    const out: CapacitySeries[] = [];
    for await (const item of queryItems(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CAPACITY#${clusterId}` },
      ConsistentRead: true,
    })) {
      const { pk: _pk, sk: _sk, entity: _e, expiresAt: _x, ...series } = item;
      out.push(series as unknown as CapacitySeries);
    }
    return out;
  }

  async putCapacity(clusterId: string, series: CapacitySeries[], previous: CapacitySeries[], at: Date): Promise<void> {
    const expiresAt = ttlEpochSeconds(new Date(at.getTime() + 86_400_000));
    const keep = new Set(series.map((s) => s.key));
    const requests = [
      ...series.map((s) => ({ PutRequest: { Item: { pk: `CAPACITY#${clusterId}`, sk: s.key, entity: 'capacity', ...s, expiresAt } } })),
      ...previous.filter((p) => !keep.has(p.key)).map((p) => ({ DeleteRequest: { Key: { pk: `CAPACITY#${clusterId}`, sk: p.key } } })),
    ];
    for (let i = 0; i < requests.length; i += 25) {
      let pending: Record<string, unknown[]> | undefined = { [this.#tableName]: requests.slice(i, i + 25) };
      for (let attempt = 0; pending && Object.keys(pending).length && attempt < 5; attempt++) {
        const out = await this.#client.send(new BatchWriteCommand({ RequestItems: pending as never }));
        pending = out.UnprocessedItems as Record<string, unknown[]> | undefined;
        if (pending && Object.keys(pending).length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }
}
