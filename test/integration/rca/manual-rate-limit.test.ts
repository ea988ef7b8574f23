/** Issue 19: manual RCAs are limited per caller and per service, with a conditional-write counter (DynamoDB Local). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoRateCounter } from '../../../functions/adapters/aws/dynamodb/rate-counter.ts';
import { admitManualRca } from '../../../functions/core/rca/rate-limit.ts';
import { RateLimitedError } from '../../../functions/core/errors.ts';
import { errorToResponse } from '../../../functions/http/errors-to-response.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
let counter: DynamoRateCounter;
beforeAll(async () => {
  db = await startTestTable();
  counter = new DynamoRateCounter(createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), db.tableName);
}, 120_000);
afterAll(async () => {
  await db?.stop();
});

const limits = { perUser: 10, perService: 6, windowSeconds: 3600 };
const at = new Date('2026-12-06T10:15:00Z');
const target = (service: string) => ({ cluster: 'prod', namespace: 'shop', service });

describe('manual RCA rate limit', () => {
  it('never lets concurrent callers overshoot the limit', async () => {
    const results = await Promise.all(Array.from({ length: 25 }, () => counter.take('race', at, 3600, 10)));
    expect(results.filter(Boolean)).toHaveLength(10);
  });

  it('allows 6 per service per hour (any caller), then 429 with the JSON error; the next window starts again', async () => {
    for (let i = 0; i < 6; i++) await admitManualRca(counter, limits, { subject: `user-${i}` }, target('cart'), at);
    const error = await admitManualRca(counter, limits, { subject: 'user-new' }, target('cart'), at).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(errorToResponse(error)).toEqual({
      status: 429,
      body: { error: { code: 'RCA_RATE_LIMITED', message: expect.stringMatching(/6 manual RCAs per 1 h for prod\/shop\/cart; try again in 2700 s/) } },
    });
    // Another namespace of the same name is another service; the next hour is a new window.
    await admitManualRca(counter, limits, { subject: 'user-new' }, { ...target('cart'), namespace: 'staging' }, at);
    await admitManualRca(counter, limits, { subject: 'user-new' }, target('cart'), new Date('2026-12-06T11:00:01Z'));
  });

  it('allows 10 per caller per hour across services', async () => {
    for (let i = 0; i < 10; i++) await admitManualRca(counter, limits, { subject: 'slack:T1/UBUSY' }, target(`svc-${i}`), at);
    await expect(admitManualRca(counter, limits, { subject: 'slack:T1/UBUSY' }, target('svc-x'), at)).rejects.toThrow(/10 manual RCAs per 1 h per caller/);
    await admitManualRca(counter, limits, { subject: 'slack:T1/UOTHER' }, target('svc-x'), at);
  });

  it('a request refused for its service does not count against its caller', async () => {
    for (let i = 0; i < 6; i++) await admitManualRca(counter, limits, { subject: `filler-${i}` }, target('hot'), at);
    for (let i = 0; i < 12; i++)
      await expect(admitManualRca(counter, limits, { subject: 'slack:T1/UPATIENT' }, target('hot'), at)).rejects.toThrow(/for prod\/shop\/hot/);
    await admitManualRca(counter, limits, { subject: 'slack:T1/UPATIENT' }, target('cold'), at);
  });

  it('one operator exhausting a service does not lock out on-call: approvers and admins skip the per-service limit, not the per-caller one', async () => {
    for (let i = 0; i < 6; i++) await admitManualRca(counter, limits, { subject: 'oidc#eager-operator', role: 'operator' }, target('locked'), at);
    await expect(admitManualRca(counter, limits, { subject: 'oidc#other-operator', role: 'operator' }, target('locked'), at)).rejects.toThrow(
      /for prod\/shop\/locked/,
    );
    await admitManualRca(counter, limits, { subject: 'oidc#oncall-approver', role: 'approver' }, target('locked'), at);
    await admitManualRca(counter, limits, { subject: 'slack:T1/UADMIN', role: 'admin' }, target('locked'), at);
    for (let i = 1; i < 10; i++) await admitManualRca(counter, limits, { subject: 'oidc#oncall-approver', role: 'approver' }, target('locked'), at);
    await expect(admitManualRca(counter, limits, { subject: 'oidc#oncall-approver', role: 'approver' }, target('locked'), at)).rejects.toThrow(/per caller/);
  });
});
