import { createHash, createHmac } from 'node:crypto';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import type { EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.ts';
import { EKS_TOKEN_PREFIX, describeEksCluster, eksCredentialsProvider, getEksToken } from '../../../functions/adapters/aws/eks/eks-token.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const signingDate = new Date('2024-05-01T12:00:00Z');
const input = { clusterName: 'prod-eu', region: 'eu-west-1', credentials, signingDate };

function decode(token: string): URL {
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}

describe('getEksToken', () => {
  it('has the aws-iam-authenticator layout', async () => {
    const token = await getEksToken(input);
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    const body = token.slice(EKS_TOKEN_PREFIX.length);
    expect(body).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
    const url = decode(token);
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20240501/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-Date')).toBe('20240501T120000Z');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(q.has('X-Amz-Security-Token')).toBe(false);
  });

  it('is deterministic for fixed credentials and clock, and depends on the cluster name', async () => {
    const a = await getEksToken(input);
    const b = await getEksToken({ ...input, credentials: async () => credentials });
    expect(a).toBe(b);
    const other = await getEksToken({ ...input, clusterName: 'prod-us' });
    expect(decode(other).searchParams.get('X-Amz-Signature')).not.toBe(decode(a).searchParams.get('X-Amz-Signature'));
  });

  it('matches an independent SigV4 computation', async () => {
    const url = decode(await getEksToken(input));
    const q = url.searchParams;
    const enc = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const canonicalQuery = [...q.entries()]
      .filter(([k]) => k !== 'X-Amz-Signature')
      .map(([k, v]) => `${enc(k)}=${enc(v)}`)
      .sort()
      .join('&');
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const canonicalRequest = ['GET', '/', canonicalQuery, 'host:sts.eu-west-1.amazonaws.com', 'x-k8s-aws-id:prod-eu', '', 'host;x-k8s-aws-id', sha('')].join(
      '\n',
    );
    const scope = '20240501/eu-west-1/sts/aws4_request';
    const stringToSign = ['AWS4-HMAC-SHA256', '20240501T120000Z', scope, sha(canonicalRequest)].join('\n');
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
    let key = hmac(`AWS4${credentials.secretAccessKey}`, '20240501');
    for (const part of ['eu-west-1', 'sts', 'aws4_request']) key = hmac(key, part);
    expect(q.get('X-Amz-Signature')).toBe(createHmac('sha256', key).update(stringToSign).digest('hex'));
  });

  it('carries a session token when the credentials have one', async () => {
    const token = await getEksToken({ ...input, credentials: { ...credentials, sessionToken: 'FwoG/session+token=' } });
    expect(decode(token).searchParams.get('X-Amz-Security-Token')).toBe('FwoG/session+token=');
  });

  it('refuses odd cluster names and regions', async () => {
    await expect(getEksToken({ ...input, clusterName: 'a/b' })).rejects.toThrow();
    await expect(getEksToken({ ...input, region: 'evil.com/x' })).rejects.toThrow();
  });
});

describe('eksCredentialsProvider', () => {
  it('assumes the given role with session name fleetops and caches until near expiry', async () => {
    const send = vi.fn(async (cmd: AssumeRoleCommand) => ({
      Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 'secret', SessionToken: 'tok', Expiration: new Date(Date.now() + 3600_000) },
      input: cmd.input,
    }));
    const sts = { send, config: {} } as unknown as STSClient;
    const provider = eksCredentialsProvider({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/fleetops-read', sts });
    const creds = await provider();
    expect(creds).toMatchObject({ accessKeyId: 'ASIA1', secretAccessKey: 'secret', sessionToken: 'tok' });
    await provider();
    expect(send).toHaveBeenCalledTimes(1);
    const cmd = send.mock.calls[0][0];
    expect(cmd).toBeInstanceOf(AssumeRoleCommand);
    expect(cmd.input).toMatchObject({ RoleArn: 'arn:aws:iam::123456789012:role/fleetops-read', RoleSessionName: 'fleetops' });
  });

  it('uses the default chain without a role', async () => {
    const chain = vi.fn(async () => ({ accessKeyId: 'AKID', secretAccessKey: 's' }));
    const sts = { send: vi.fn(), config: { credentials: chain } } as unknown as STSClient;
    expect(await eksCredentialsProvider({ region: 'eu-west-1', sts })()).toEqual({ accessKeyId: 'AKID', secretAccessKey: 's' });
    expect(chain).toHaveBeenCalledTimes(1);
  });
});

describe('describeEksCluster', () => {
  it('returns the endpoint and CA', async () => {
    const send = vi.fn(async () => ({ cluster: { endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthority: { data: 'Q0E=' } } }));
    const eks = { send } as unknown as EKSClient;
    expect(await describeEksCluster('prod', 'eu-west-1', credentials, eks)).toEqual({ server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', caData: 'Q0E=' });
    expect((send.mock.calls[0] as unknown[])[0]).toBeInstanceOf(DescribeClusterCommand);
  });

  it('maps failures to UpstreamError', async () => {
    const failing = { send: vi.fn(async () => Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))) } as unknown as EKSClient;
    await expect(describeEksCluster('prod', 'eu-west-1', credentials, failing)).rejects.toBeInstanceOf(UpstreamError);
    const creating = { send: vi.fn(async () => ({ cluster: { status: 'CREATING' } })) } as unknown as EKSClient;
    await expect(describeEksCluster('prod', 'eu-west-1', credentials, creating)).rejects.toThrow(/CREATING/);
  });
});
