/**
 * Builds @kubernetes/client-node configuration from a SafeKubeconfig only (never from a kubeconfig
 * string or file), with TLS verification forced on, a per-request timeout, and a DNS lookup that
 * re-checks every resolved address at connect time (DNS rebinding defence).
 */
import dns from 'node:dns';
import { isIP } from 'node:net';
import type { AgentOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, DispatcherOptions, RequestContext, User } from '@kubernetes/client-node';
import { AppError, UpstreamError } from '../../core/errors.ts';
import { checkResolvedAddress } from '../../core/clusters/address-policy.ts';
import type { SafeKubeconfig } from '../../core/clusters/kubeconfig-policy.ts';

export interface ConnectPolicy {
  allowLoopback: boolean;
  allowlist?: string[];
  /** Per-request timeout; default 5 s. */
  timeoutMs?: number;
  /** Injected resolver (tests); default dns.lookup. */
  lookup?: LookupAll;
}

export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const defaultLookup: LookupAll = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

export function serverHost(server: string): string {
  return new URL(server).hostname.replace(/^\[|\]$/g, '');
}

/** Resolves the server host and applies the address policy to every result. */
export async function resolveAndCheck(server: string, policy: ConnectPolicy): Promise<string[]> {
  const host = serverHost(server);
  const opts = { allowLoopback: policy.allowLoopback, allowlist: policy.allowlist, host, field: 'server' };
  if (isIP(host)) {
    checkResolvedAddress(host, opts);
    return [host];
  }
  let addresses: Array<{ address: string }>;
  try {
    addresses = await (policy.lookup ?? defaultLookup)(host);
  } catch (err) {
    throw new UpstreamError(`Cluster ${server} is unreachable: DNS lookup failed (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!addresses.length) throw new UpstreamError(`Cluster ${server} is unreachable: DNS lookup returned no addresses`);
  for (const a of addresses) checkResolvedAddress(a.address, opts);
  return addresses.map((a) => a.address);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A net/tls `lookup` that refuses addresses the policy refuses. */
export function guardedLookup(policy: ConnectPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    const resolve = policy.lookup ?? defaultLookup;
    resolve(hostname).then(
      (addresses) => {
        try {
          for (const a of addresses) checkResolvedAddress(a.address, { allowLoopback: policy.allowLoopback, allowlist: policy.allowlist, host: hostname });
        } catch (err) {
          const e = new Error(`address refused by policy: ${(err as Error).message}`) as NodeJS.ErrnoException;
          e.code = 'EADDRREFUSEDBYPOLICY';
          callback(e, '');
          return;
        }
        const wanted = options?.family === 4 || options?.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (!wanted.length) {
          const e = new Error(`no address for ${hostname}`) as NodeJS.ErrnoException;
          e.code = 'ENOTFOUND';
          callback(e, '');
        } else if (options?.all) callback(null, wanted as dns.LookupAddress[]);
        else callback(null, wanted[0].address, wanted[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

/** KubeConfig with verification forced on, the guarded lookup and a request timeout. */
class GuardedKubeConfig extends KubeConfig {
  private readonly policy: ConnectPolicy;

  constructor(policy: ConnectPolicy) {
    super();
    this.policy = policy;
  }

  override createDispatcherOptions(cluster: Cluster | null, agentOptions: AgentOptions): DispatcherOptions {
    const opts = super.createDispatcherOptions(cluster, { ...agentOptions, rejectUnauthorized: true });
    if (opts.type !== 'agent') throw new Error(`refusing dispatcher type ${opts.type}`);
    return { ...opts, connect: { ...opts.connect, rejectUnauthorized: true, lookup: guardedLookup(this.policy) } as typeof opts.connect };
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setSignal(AbortSignal.timeout(this.policy.timeoutMs ?? 5000));
  }
}

export function buildKubeConfig(creds: SafeKubeconfig, policy: ConnectPolicy): KubeConfig {
  const kc = new GuardedKubeConfig(policy);
  const cluster: Cluster = { name: creds.clusterName || 'cluster', server: creds.server, caData: creds.caData, skipTLSVerify: false };
  const user: User =
    'token' in creds.user
      ? { name: 'fleetops', token: creds.user.token }
      : { name: 'fleetops', certData: creds.user.certData, keyData: creds.user.keyData };
  kc.loadFromClusterAndUser(cluster, user);
  return kc;
}

/** Pre-connect check + config. Policy refusals stay ValidationError (400). */
export async function createKubeConfig(creds: SafeKubeconfig, policy: ConnectPolicy): Promise<KubeConfig> {
  try {
    await resolveAndCheck(creds.server, policy);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new UpstreamError(`Cluster ${creds.server} is unreachable: ${(err as Error).name}`);
  }
  return buildKubeConfig(creds, policy);
}

