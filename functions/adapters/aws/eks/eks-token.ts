/**
 * EKS authentication without `aws eks get-token` or an exec plugin: a presigned STS
 * GetCallerIdentity URL, wrapped the way aws-iam-authenticator expects.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { UpstreamError } from '../../../core/errors.ts';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type CredentialsProvider = () => Promise<AwsCredentials>;

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
const TOKEN_TTL_SECONDS = 60;

export interface EksTokenInput {
  clusterName: string;
  region: string;
  credentials: AwsCredentials | CredentialsProvider;
  /** Fixed signing time (tests). */
  signingDate?: Date;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

export async function getEksToken(input: EksTokenInput): Promise<string> {
  const { clusterName, region } = input;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(clusterName)) throw new Error('Invalid EKS cluster name');
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new Error('Invalid AWS region');
  const credentials = typeof input.credentials === 'function' ? input.credentials : async () => input.credentials as AwsCredentials;
  const host = `sts.${region}.amazonaws.com`;
  const signer = new SignatureV4({ credentials, region, service: 'sts', sha256: Sha256 });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname: host,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host, 'x-k8s-aws-id': clusterName },
  });
  const signed = await signer.presign(request, { expiresIn: TOKEN_TTL_SECONDS, signingDate: input.signingDate });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return EKS_TOKEN_PREFIX + base64url(`https://${host}/?${query}`);
}

/** The default chain (Lambda role) or, with a roleArn, that role assumed as session `fleetops`. */
export function eksCredentialsProvider(opts: { region: string; roleArn?: string; externalId?: string; sts?: STSClient }): CredentialsProvider {
  const sts = opts.sts ?? new STSClient({ region: opts.region });
  if (!opts.roleArn) {
    return async () => {
      const provider = sts.config.credentials as () => Promise<AwsCredentials>;
      return provider();
    };
  }
  let cached: AwsCredentials | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > 5 * 60_000) return cached;
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: opts.roleArn, RoleSessionName: 'fleetops', ExternalId: opts.externalId, DurationSeconds: 3600 }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new UpstreamError('AssumeRole returned no credentials');
    cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    return cached;
  };
}

export async function describeEksCluster(
  name: string,
  region: string,
  credentials: AwsCredentials | CredentialsProvider,
  client?: EKSClient,
): Promise<{ server: string; caData: string }> {
  const eks = client ?? new EKSClient({ region, credentials });
  let out;
  try {
    out = await eks.send(new DescribeClusterCommand({ name }));
  } catch (err) {
    throw new UpstreamError(`EKS DescribeCluster ${name} failed: ${(err as Error).name}`);
  }
  const server = out.cluster?.endpoint;
  const caData = out.cluster?.certificateAuthority?.data;
  if (!server || !caData) throw new UpstreamError(`EKS cluster ${name} has no endpoint or CA yet (status ${out.cluster?.status ?? 'unknown'})`);
  return { server, caData };
}
