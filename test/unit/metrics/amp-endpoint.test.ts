import { describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../../functions/adapters/prometheus/prometheus-client.ts';
import { ValidationError } from '../../../functions/core/errors.ts';
import { ampSigningRegion, parseAmpEndpoint } from '../../../functions/core/metrics/amp-endpoint.ts';
import { RegisterClusterRequest } from '../../../functions/schemas/clusters.ts';

const HOSTILE = [
  'https://evil.example#.amazonaws.com',
  'https://evil.example?.amazonaws.com',
  'https://evil.example/?x=.amazonaws.com',
  'https://evil.example/#aps-workspaces.us-east-1.amazonaws.com',
  'https://aps-workspaces.us-east-1.amazonaws.com.evil.example/workspaces/ws-1',
  'https://aps-workspaces.us-east-1.amazonaws.com@evil.example/workspaces/ws-1',
  'https://user:pw@aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1',
  'https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1?',
  'https://aps-workspaces.us-east-1.amazonaws.com:8443/workspaces/ws-1',
  'http://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1',
  'https://sts.us-east-1.amazonaws.com/',
  'https://x.amazonaws.com/',
];

describe('AMP endpoint check (SigV4 host)', () => {
  it.each(HOSTILE)('refuses %s', (url) => {
    expect(parseAmpEndpoint(url).ok).toBe(false);
  });

  it('takes the region from the host', () => {
    expect(parseAmpEndpoint('https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd')).toEqual({ ok: true, region: 'eu-west-1' });
    expect(parseAmpEndpoint('https://aps-workspaces.us-gov-west-1.amazonaws.com/workspaces/ws-1')).toEqual({ ok: true, region: 'us-gov-west-1' });
    expect(ampSigningRegion('https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1', 'eu-west-1')).toEqual({ ok: true, region: 'eu-west-1' });
    expect(ampSigningRegion('https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1', 'us-east-1').ok).toBe(false);
  });

  it('registration refuses a hostile sigv4 URL with 400-class validation issues', () => {
    for (const url of ['https://evil.example#.amazonaws.com', 'https://evil.example?.amazonaws.com']) {
      const parsed = RegisterClusterRequest.safeParse({ name: 'a', environment: 'dev', kubeconfig: 'x', prometheus: { url, auth: 'sigv4' } });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain('prometheus.url');
    }
    const ok = RegisterClusterRequest.safeParse({
      name: 'a',
      environment: 'dev',
      kubeconfig: 'x',
      prometheus: { url: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1', auth: 'sigv4' },
    });
    expect(ok.success).toBe(true);
  });

  it('the client never signs for another host, whatever region it is given', async () => {
    const sent: string[] = [];
    const fetchImpl = (async (url: string) => {
      sent.push(url);
      return new Response('{"status":"success","data":{"resultType":"vector","result":[]}}');
    }) as unknown as typeof fetch;
    const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
    for (const baseUrl of ['https://evil.example#.amazonaws.com', 'https://evil.example?.amazonaws.com']) {
      expect(() => new PrometheusClient({ baseUrl, auth: { type: 'sigv4', region: 'us-east-1', credentials }, fetch: fetchImpl })).toThrow(ValidationError);
    }
    expect(sent).toEqual([]);
  });
});
