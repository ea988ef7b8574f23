/**
 * The address policy at connect time, for every outbound client (Kubernetes, Prometheus, catalog URLs, Argo CD): an IP
 * literal is checked directly, a name on every resolved address (DNS rebinding defence). No HTTP client here, so that
 * a handler that only fetches URLs does not carry the Kubernetes client.
 */
import dns from 'node:dns';
import { isIP } from 'node:net';
import { UpstreamError } from '../../core/errors.ts';
import { checkResolvedAddress } from '../../core/clusters/address-policy.ts';

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
          callback(policyRefusal(err), '');
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

export function policyRefusal(err: unknown): NodeJS.ErrnoException {
  const e = new Error(`address refused by policy: ${(err as Error).message}`) as NodeJS.ErrnoException;
  e.code = 'EADDRREFUSEDBYPOLICY';
  return e;
}
