/**
 * Builds @kubernetes/client-node configuration from a SafeKubeconfig only (never from a kubeconfig
 * string or file), with TLS verification forced on, a per-request timeout, and one dispatcher of our
 * own for every request: it checks the address at connect time (an IP literal directly, a name on
 * every resolved address: DNS rebinding defence) and refuses redirects, so a hostile API server
 * cannot send the client (and its bearer token) to another address.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, DispatcherOptions, RequestContext, User } from '@kubernetes/client-node';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { AppError, UpstreamError } from '../../core/errors.ts';
import { isIP } from 'node:net';
import { checkResolvedAddress } from '../../core/clusters/address-policy.ts';
import { guardedLookup, policyRefusal, resolveAndCheck, type ConnectPolicy } from '../http/guarded-lookup.ts';
import type { SafeKubeconfig } from '../../core/clusters/kubeconfig-policy.ts';

export { defaultLookup, guardedLookup, resolveAndCheck, serverHost, type ConnectPolicy, type LookupAll } from '../http/guarded-lookup.ts';

/** TLS-only connections to addresses the policy allows: a literal is checked here, a name by the lookup. */
function guardedConnector(tls: buildConnector.BuildOptions, policy: ConnectPolicy): buildConnector.connector {
  const connect = buildConnector({ ...tls, rejectUnauthorized: true, lookup: guardedLookup(policy) } as buildConnector.BuildOptions);
  return (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '');
    try {
      if (options.protocol !== 'https:') throw new Error(`${options.protocol} is not https`);
      if (isIP(host)) checkResolvedAddress(host, { allowLoopback: policy.allowLoopback, allowlist: policy.allowlist, host });
    } catch (err) {
      callback(policyRefusal(err), null);
      return;
    }
    connect(options, callback);
  };
}

/** Fails a request answered with a redirect instead of letting fetch follow it. */
const refuseRedirects: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) =>
  dispatch(options, {
    onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
    onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
    onResponseStart: (controller, statusCode, headers, statusMessage) => {
      if (statusCode >= 300 && statusCode < 400 && statusCode !== 304) {
        const e = new Error(`redirect (HTTP ${statusCode}) refused`) as NodeJS.ErrnoException;
        e.code = 'EREDIRECTREFUSED';
        controller.abort(e);
        return;
      }
      handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
    },
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
    onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
  });

/** The one dispatcher for a cluster's requests (also reuses its connections across requests). */
export function guardedDispatcher(creds: SafeKubeconfig, policy: ConnectPolicy): Dispatcher {
  return guardedHttpsDispatcher(
    {
      ca: Buffer.from(creds.caData, 'base64'),
      ...('certData' in creds.user ? { cert: Buffer.from(creds.user.certData, 'base64'), key: Buffer.from(creds.user.keyData, 'base64') } : {}),
    },
    policy,
  );
}

/**
 * The same guard for any other HTTPS endpoint an operator configures (Argo CD): https only, TLS
 * verified (against `ca` when given, else the system roots), every address checked at connect time,
 * redirects refused.
 */
export function guardedHttpsDispatcher(tls: { ca?: Buffer | string; cert?: Buffer; key?: Buffer }, policy: ConnectPolicy): Dispatcher {
  const options = { ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}), keepAlive: true, keepAliveInitialDelay: 30_000 };
  return new Agent({ connect: guardedConnector(options as buildConnector.BuildOptions, policy) }).compose(refuseRedirects);
}

/** KubeConfig whose every request goes through the guarded dispatcher, with a request timeout. */
class GuardedKubeConfig extends KubeConfig {
  readonly #dispatcher: Dispatcher;
  readonly #timeoutMs: number;

  constructor(dispatcher: Dispatcher, timeoutMs: number) {
    super();
    this.#dispatcher = dispatcher;
    this.#timeoutMs = timeoutMs;
  }

  /** The library's own dispatcher (no address guard, redirects followed) is never built. */
  override createDispatcherOptions(): DispatcherOptions {
    return { type: 'none' };
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setDispatcher(this.#dispatcher);
    context.setSignal(AbortSignal.timeout(this.#timeoutMs));
  }
}

export function buildKubeConfig(creds: SafeKubeconfig, policy: ConnectPolicy): KubeConfig {
  const kc = new GuardedKubeConfig(guardedDispatcher(creds, policy), policy.timeoutMs ?? 5000);
  const cluster: Cluster = { name: creds.clusterName || 'cluster', server: creds.server, caData: creds.caData, skipTLSVerify: false };
  const user: User =
    'token' in creds.user ? { name: 'fleetops', token: creds.user.token } : { name: 'fleetops', certData: creds.user.certData, keyData: creds.user.keyData };
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
