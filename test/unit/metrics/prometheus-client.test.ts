import { createHash, createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  parseEnvelope,
  parsePromValue,
  PrometheusClient,
  PrometheusQueryError,
  redact,
  redactUrl,
} from '../../../functions/adapters/prometheus/prometheus-client.ts';
import { UpstreamError } from '../../../functions/core/errors.ts';

const ok = (data: unknown, extra: Record<string, unknown> = {}): string => JSON.stringify({ status: 'success', data, ...extra });

describe('parseEnvelope', () => {
  it('parses vectors with special float strings', () => {
    const r = parseEnvelope(
      200,
      ok({
        resultType: 'vector',
        result: [
          { metric: { service: 'a' }, value: [1700000000.123, '0.5'] },
          { metric: { service: 'b' }, value: [1700000000.123, 'NaN'] },
          { metric: { service: 'c' }, value: [1700000000.123, '+Inf'] },
          { metric: { service: 'd' }, value: [1700000000.123, '-Inf'] },
          { metric: {}, value: [1700000000, '1e-3'] },
        ],
      }),
      'q',
    );
    expect(r.data.resultType).toBe('vector');
    if (r.data.resultType !== 'vector') return;
    expect(r.data.result.map((s) => s.value)).toEqual([0.5, NaN, Infinity, -Infinity, 0.001]);
    expect(r.data.result[0]).toEqual({ metric: { service: 'a' }, ts: 1700000000.123, value: 0.5 });
    expect(r.warnings).toEqual([]);
  });

  it('parses matrix, scalar and string results and keeps warnings', () => {
    const m = parseEnvelope(
      200,
      ok(
        {
          resultType: 'matrix',
          result: [
            {
              metric: { pod: 'p' },
              values: [
                [1, '1'],
                [2, 'NaN'],
              ],
            },
          ],
        },
        { warnings: ['partial response'] },
      ),
      'q',
    );
    expect(m.warnings).toEqual(['partial response']);
    expect(m.data).toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: { pod: 'p' },
          points: [
            { ts: 1, value: 1 },
            { ts: 2, value: NaN },
          ],
        },
      ],
    });
    expect(parseEnvelope(200, ok({ resultType: 'scalar', result: [5, '2'] }), 'q').data).toEqual({ resultType: 'scalar', result: { ts: 5, value: 2 } });
    expect(parseEnvelope(200, ok({ resultType: 'string', result: [5, 'hi'] }), 'q').data).toEqual({ resultType: 'string', result: { ts: 5, value: 'hi' } });
  });

  it('bad_data becomes PrometheusQueryError naming the query', () => {
    const body = JSON.stringify({ status: 'error', errorType: 'bad_data', error: '1:5: parse error: unclosed left parenthesis' });
    const e = (() => {
      try {
        parseEnvelope(400, body, 'sum(rate(x[5m]');
      } catch (err) {
        return err as PrometheusQueryError;
      }
    })()!;
    expect(e).toBeInstanceOf(PrometheusQueryError);
    expect(e).not.toBeInstanceOf(UpstreamError);
    expect(e.kind).toBe('invalid');
    expect(e.code).toBe('PROMQL_BAD_DATA');
    expect(e.query).toBe('sum(rate(x[5m]');
    expect(e.message).toContain('sum(rate(x[5m]');
    expect(e.message).toContain('unclosed left parenthesis');
  });

  it.each([
    [422, { status: 'error', errorType: 'execution', error: 'many-to-many matching' }, 'PROMETHEUS_QUERY_FAILED'],
    [503, { status: 'error', errorType: 'timeout', error: 'query timed out' }, 'UPSTREAM_TIMEOUT'],
    [500, { status: 'error', errorType: 'internal', error: 'boom' }, 'PROMETHEUS_QUERY_FAILED'],
    [403, { status: 'error', errorType: 'unauthorized', error: 'denied' }, 'UPSTREAM_AUTH_FAILED'],
  ])('HTTP %i %j → UpstreamError %s', (status, body, code) => {
    expect(() => parseEnvelope(status, JSON.stringify(body), 'q')).toThrow(expect.objectContaining({ code, name: 'UpstreamError' }));
  });

  it.each([
    [502, '<html>Bad Gateway</html>', 'UPSTREAM_BAD_RESPONSE'],
    [401, 'Unauthorized', 'UPSTREAM_AUTH_FAILED'],
    [429, 'slow down', 'UPSTREAM_THROTTLED'],
    [200, 'not json', 'UPSTREAM_BAD_RESPONSE'],
    [200, ok({ resultType: 'weird', result: [] }), 'UPSTREAM_BAD_RESPONSE'],
    [200, ok({ resultType: 'vector', result: [{ metric: {}, value: ['x'] }] }), 'UPSTREAM_BAD_RESPONSE'],
  ])('HTTP %i %s → UpstreamError %s', (status, body, code) => {
    expect(() => parseEnvelope(status, body, 'q')).toThrow(expect.objectContaining({ code }));
    try {
      parseEnvelope(status, body, 'q');
    } catch (e) {
      expect(e).toBeInstanceOf(UpstreamError);
    }
  });

  it('parsePromValue', () => {
    expect(parsePromValue('NaN')).toBeNaN();
    expect(parsePromValue('+Inf')).toBe(Infinity);
    expect(parsePromValue('-Inf')).toBe(-Infinity);
    expect(parsePromValue('42.5')).toBe(42.5);
    expect(parsePromValue('')).toBeNaN();
    expect(parsePromValue(null)).toBeNaN();
  });
});

interface Captured {
  url: string;
  init: RequestInit;
}

function fakeFetch(status: number, body: string, seen: Captured[] = []): typeof fetch {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: String(url), init: init ?? {} });
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

const VECTOR = ok({ resultType: 'vector', result: [] });

describe('PrometheusClient requests', () => {
  it('POSTs form-encoded queries under the base path (prefix kept, trailing slash or not)', async () => {
    for (const base of ['http://thanos.example:9090/prometheus', 'http://thanos.example:9090/prometheus/']) {
      const seen: Captured[] = [];
      const c = new PrometheusClient({ baseUrl: base, fetch: fakeFetch(200, VECTOR, seen), tenantId: 'team-a' });
      await c.query('sum(rate(http_requests_total{status=~"5.."}[5m]))', { time: new Date('2024-01-01T00:00:00.500Z') });
      await c.queryRange('up', { start: '2024-01-01T00:00:00Z', end: '2024-01-01T01:00:00Z', stepSeconds: 60 });
      expect(seen[0].url).toBe('http://thanos.example:9090/prometheus/api/v1/query');
      expect(seen[0].init.method).toBe('POST');
      const h = seen[0].init.headers as Record<string, string>;
      expect(h['content-type']).toBe('application/x-www-form-urlencoded');
      expect(h['x-scope-orgid']).toBe('team-a');
      expect(h.authorization).toBeUndefined();
      const form = new URLSearchParams(String(seen[0].init.body));
      expect(form.get('query')).toBe('sum(rate(http_requests_total{status=~"5.."}[5m]))');
      expect(form.get('time')).toBe('1704067200.5');
      expect(seen[0].init.signal).toBeInstanceOf(AbortSignal);
      expect(seen[1].url).toBe('http://thanos.example:9090/prometheus/api/v1/query_range');
      expect(Object.fromEntries(new URLSearchParams(String(seen[1].init.body)))).toEqual({ query: 'up', start: '1704067200', end: '1704070800', step: '60' });
    }
  });

  it('sends the bearer token as a header', async () => {
    const seen: Captured[] = [];
    await new PrometheusClient({ baseUrl: 'http://p:9090', auth: { type: 'bearer', token: 'tkn-123456' }, fetch: fakeFetch(200, VECTOR, seen) }).query('up');
    expect((seen[0].init.headers as Record<string, string>).authorization).toBe('Bearer tkn-123456');
    expect(seen[0].url).toBe('http://p:9090/api/v1/query');
  });

  it('moves URL user-info into a Basic header and out of the URL', async () => {
    const seen: Captured[] = [];
    const c = new PrometheusClient({ baseUrl: 'https://user:s3cr3t-pass@p.example/prom', fetch: fakeFetch(200, VECTOR, seen) });
    await c.query('up');
    expect(seen[0].url).toBe('https://p.example/prom/api/v1/query');
    expect((seen[0].init.headers as Record<string, string>).authorization).toBe(`Basic ${Buffer.from('user:s3cr3t-pass').toString('base64')}`);
    expect(c.baseUrl).not.toContain('s3cr3t');
  });
});

describe('redaction', () => {
  it('keeps tokens and passwords out of error messages, JSON and inspect output', async () => {
    const token = 'very-secret-token-value';
    const echo = JSON.stringify({ status: 'error', errorType: 'internal', error: `upstream said Authorization: Bearer ${token} was bad` });
    const c = new PrometheusClient({ baseUrl: 'http://p:9090', auth: { type: 'bearer', token }, fetch: fakeFetch(500, echo) });
    const e = await c.query('up').catch((x) => x);
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e.message).not.toContain(token);
    expect(JSON.stringify(c)).not.toContain(token);
    expect(inspect(c, { depth: 5, showHidden: true })).not.toContain(token);
    const plain = await new PrometheusClient({ baseUrl: 'http://p:9090', auth: { type: 'bearer', token }, fetch: fakeFetch(502, `oops ${token}`) })
      .query('up')
      .catch((x) => x);
    expect(plain.message).toContain('HTTP 502');
    expect(plain.message).not.toContain(token);
  });

  it('redact scrubs credential shapes; redactUrl drops user-info and query', () => {
    const s = redact(
      'Authorization: Bearer abc.def-123 Credential=AKIAABCDEFGHIJKLMNOP/20240101/us-east-1/aps/aws4_request, Signature=deadbeef01 https://u:p@h/x',
      ['p4ssw0rd'],
    );
    expect(s).not.toMatch(/abc\.def-123|AKIAABCDEFGHIJKLMNOP|deadbeef01|u:p@/);
    expect(redact('the p4ssw0rd leaked', ['p4ssw0rd'])).toBe('the [REDACTED] leaked');
    expect(redactUrl('https://u:p@h.example/a?token=x#y')).toBe('https://h.example/a');
  });

  it('network errors name the host without credentials', async () => {
    const failing = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } });
    }) as unknown as typeof fetch;
    const e = await new PrometheusClient({ baseUrl: 'http://u:pw-secret@p:9090/x', fetch: failing }).query('up').catch((x) => x);
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e.code).toBe('UPSTREAM_UNREACHABLE');
    expect(e.message).toBe('Prometheus at http://p:9090/x is unreachable (ECONNREFUSED)');
  });
});

// Independent SigV4 (AWS documentation algorithm) to check the smithy-signed request byte for byte.
function sigv4(opts: {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  secret: string;
  region: string;
  service: string;
  amzDate: string;
}): string {
  const names = Object.keys(opts.headers)
    .map((k) => k.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(opts.headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonical = [
    opts.method,
    opts.path,
    '',
    names.map((n) => `${n}:${lower[n]}\n`).join(''),
    names.join(';'),
    createHash('sha256').update(opts.body).digest('hex'),
  ].join('\n');
  const day = opts.amzDate.slice(0, 8);
  const scope = `${day}/${opts.region}/${opts.service}/aws4_request`;
  const sts = ['AWS4-HMAC-SHA256', opts.amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const h = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();
  const key = h(h(h(h(`AWS4${opts.secret}`, day), opts.region), opts.service), 'aws4_request');
  return createHmac('sha256', key).update(sts).digest('hex');
}

describe('SigV4 for Amazon Managed Prometheus', () => {
  const base = 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd';
  const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const at = new Date('2024-03-01T12:34:56Z');
  const client = (extra: Partial<typeof creds & { sessionToken: string }> = {}, fetchImpl?: typeof fetch) =>
    new PrometheusClient({
      baseUrl: base,
      auth: { type: 'sigv4', region: 'eu-west-1', credentials: async () => ({ ...creds, ...extra }) },
      now: () => at,
      fetch: fetchImpl,
    });

  it('signs with service aps, the region and the body hash', async () => {
    const req = await client().prepare('/api/v1/query', { query: 'up' });
    expect(req.url).toBe(`${base}/api/v1/query`);
    expect(req.headers['x-amz-date']).toBe('20240301T123456Z');
    expect(req.headers['x-amz-content-sha256']).toBe(createHash('sha256').update('query=up').digest('hex'));
    const auth = req.headers.authorization;
    expect(auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240301\/eu-west-1\/aps\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)![1].split(';');
    expect(signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-content-sha256', 'content-type']));
    expect(req.headers.host).toBeUndefined(); // fetch derives it from the URL
    // The same signature, computed independently over the signed headers.
    const hdrs: Record<string, string> = { host: 'aps-workspaces.eu-west-1.amazonaws.com' };
    for (const n of signedHeaders) if (n !== 'host') hdrs[n] = req.headers[n];
    const expected = sigv4({
      method: 'POST',
      path: '/workspaces/ws-0123abcd/api/v1/query',
      headers: hdrs,
      body: req.body,
      secret: creds.secretAccessKey,
      region: 'eu-west-1',
      service: 'aps',
      amzDate: '20240301T123456Z',
    });
    expect(auth.endsWith(`Signature=${expected}`)).toBe(true);
  });

  it('is deterministic for fixed credentials and date, and depends on the body', async () => {
    const a = await client().prepare('/api/v1/query', { query: 'up' });
    const b = await client().prepare('/api/v1/query', { query: 'up' });
    const c = await client().prepare('/api/v1/query', { query: 'up == 0' });
    expect(a.headers.authorization).toBe(b.headers.authorization);
    expect(c.headers.authorization).not.toBe(a.headers.authorization);
  });

  it('adds the session token and sends exactly the signed request', async () => {
    const seen: Captured[] = [];
    const c = client({ sessionToken: 'FwoGZXIvYXdzSESSIONTOKEN' }, fakeFetch(200, VECTOR, seen));
    const prepared = await c.prepare('/api/v1/query', { query: 'up' });
    expect(prepared.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzSESSIONTOKEN');
    expect(prepared.headers.authorization).toContain('x-amz-security-token');
    await c.query('up');
    expect(seen[0].url).toBe(prepared.url);
    expect(seen[0].init.headers).toEqual(prepared.headers);
    expect(seen[0].init.body).toBe('query=up');
  });

  it('a failing credentials provider is an UpstreamError without details', async () => {
    const c = new PrometheusClient({
      baseUrl: base,
      auth: {
        type: 'sigv4',
        region: 'eu-west-1',
        credentials: async () => {
          throw new Error('secret key XYZ invalid');
        },
      },
    });
    const e = await c.query('up').catch((x) => x);
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(e.message).not.toContain('XYZ');
  });
});
