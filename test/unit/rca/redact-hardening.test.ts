/** Issue 19: redaction missed `Authorization: Token …`, 32-hex keys, `password hunter2`, and masked no personal data. */
import { describe, expect, it } from 'vitest';
import { createRedactor, luhnValid } from '../../../functions/core/rca/redact.ts';

const model = createRedactor([], [], { pii: true });
const plain = createRedactor();

describe('redaction hardening', () => {
  it.each([
    ['Authorization: Token 9f8e7d6c5b4a39281706f5e4d3c2b1a0ffee', '9f8e7d6c5b4a39281706f5e4d3c2b1a0ffee'],
    ['curl -H "Authorization: Token abcdefghijklmnop1234" https://api', 'abcdefghijklmnop1234'],
    ['x-api-key: 5up3r-s3cr3t-k3y-value', '5up3r-s3cr3t-k3y-value'],
    ['Authorization: ApiKey qwertyuiopasdfgh', 'qwertyuiopasdfgh'],
    ['using key 0123456789abcdef0123456789abcdef for upstream', '0123456789abcdef0123456789abcdef'],
    ['login with password hunter2 rejected', 'hunter2'],
    ['the passwd is hunter2', 'hunter2'],
    ['DB_PASSWORD=hunter2', 'hunter2'],
    ['password=correct-horse', 'correct-horse'],
  ])('masks %s', (line, secret) => {
    const out = plain.text(line);
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
  });

  it('leaves ordinary log text alone', () => {
    for (const line of [
      'authorization failed for user',
      'tests pass in 3 s',
      'GET /healthz 200',
      'std::vector<int> grew',
      'at 10:15:00 the pod restarted',
      'image sha256 digest a1b2',
      'replicas 2 -> 4',
    ]) {
      expect(plain.text(line)).toBe(line);
      expect(model.text(line)).toBe(line);
    }
  });

  it('masks personal data for the model, and only when asked', () => {
    const line = 'user ana.lopez+ops@example.co.uk from 203.0.113.42 and 2001:db8::8a2e:370:7334 (fe80::1) paid with 4111 1111 1111 1111, order 1234567890123';
    const out = model.text(line);
    expect(out).toBe('user [EMAIL] from [IPV4] and [IPV6] ([IPV6]) paid with [CARD], order 1234567890123');
    expect(plain.text(line)).toBe(line);
    expect(model.value({ nested: ['mail bob@corp.example now'] })).toEqual({ nested: ['mail [EMAIL] now'] });
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('stays linear on hostile input (a long run of near-matches is handled)', () => {
    const hostile = `${'a@'.repeat(20000)} ${'1.'.repeat(20000)} ${'1:'.repeat(20000)} ${'4 '.repeat(20000)} ${'password '.repeat(5000)}`;
    const out = model.text(hostile);
    expect(out.length).toBeGreaterThan(0);
  });
});
