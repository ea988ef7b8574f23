import { Agent, undiciFetch } from '../http/undici-lite.ts';
import { guardedLookup, type ConnectPolicy } from '../http/guarded-lookup.ts';

/**
 * A fetch for user-configured Prometheus URLs whose every connection re-checks the resolved
 * address against the cluster address policy (no metadata, link-local or, in AWS, loopback
 * addresses, even through a DNS name that resolves there): the registration-time check alone
 * would leave a DNS-rebinding SSRF open.
 */
export function guardedFetch(policy: ConnectPolicy): typeof fetch {
  const dispatcher = new Agent({ connect: { lookup: guardedLookup(policy) as never } });
  return ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch;
}
