import { describe, expect, it } from 'vitest';
import { createAnonymizer } from '../../../functions/core/rca/anonymize.ts';
import { createRedactor } from '../../../functions/core/rca/redact.ts';
import { evidence, pod } from '../../support/rca-evidence.ts';

describe('redactor', () => {
  const r = createRedactor(['s3cr3t-literal-value'], ['CONFIG_BLOB']);

  it('scrubs known values, secret-backed names, and credential patterns', () => {
    const cases: [string, string][] = [
      ['connecting with s3cr3t-literal-value now', 's3cr3t-literal-value'],
      ['CONFIG_BLOB=plainlooking', 'plainlooking'],
      ['{"CONFIG_BLOB":"plain value"}', 'plain'],
      ['"password": "hunter22"', 'hunter22'],
      ['DB_PASSWORD=hunter22', 'hunter22'],
      ['api_key: abcdef123', 'abcdef123'],
      ['Authorization: Bearer abc.def.ghi12345', 'abc.def.ghi12345'],
      ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlMTIz', 'eyJhbGciOiJIUzI1NiJ9'],
      ['key AKIAABCDEFGHIJKLMNOP used', 'AKIAABCDEFGHIJKLMNOP'],
      ['postgres://user:pw1234@db:5432/x', 'pw1234'],
      ['client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==', 'LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ'],
      ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'],
      ['random token Xk29QpL0vM3nB7rT5yW1zA8c', 'Xk29QpL0vM3nB7rT5yW1zA8c'],
    ];
    for (const [input, secret] of cases) {
      const out = r.text(input);
      expect(out, input).not.toContain(secret);
      expect(out, input).toContain('[REDACTED]');
    }
  });

  it('leaves ordinary evidence alone', () => {
    for (const text of [
      'Back-off restarting failed container app in pod payment-service-7d9f8c6b5-x2k4z',
      'image ghcr.io/shop/payment:1.4.2',
      '0/3 nodes are available: 3 Insufficient cpu.',
      'container:payment-service-abc123-a/app',
    ]) {
      expect(r.text(text)).toBe(text);
    }
  });

  it('redacts every string in a structure, keys untouched', () => {
    expect(r.value({ a: ['x s3cr3t-literal-value'], password: 'ok' })).toEqual({ a: ['x [REDACTED]'], password: 'ok' });
  });
});

describe('anonymiser', () => {
  it('replaces workload, pod, node and namespace names and reverses them', () => {
    const e = evidence();
    e.pods.push(pod('payment-service', 'a'));
    e.deployments.push({
      id: 'deployment:payment-service',
      name: 'payment-service',
      desired: 1,
      ready: 1,
      available: 1,
      updated: 1,
      unavailable: 0,
      selector: {},
      conditions: [],
    });
    const a = createAnonymizer(e, true);
    const text = 'pod payment-service-abc123-a of payment-service in shop on node-1';
    const hidden = a.forward(text);
    expect(hidden).not.toMatch(/payment-service|shop/);
    expect(a.reverse(hidden)).toBe(text);
    expect(createAnonymizer(e, false).forward(text)).toBe(text);
  });
});
