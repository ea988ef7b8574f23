import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ArgoCdClient } from '../adapters/argocd/argocd-client.ts';
import { wiring } from '../wiring.ts';

let built: { base: unknown; client: ArgoCdClient | undefined } | undefined;

/**
 * The Argo CD instance from configuration (healing acts through it, RCA reads its Applications' history), or none when
 * FLEETOPS_ARGOCD_URL is unset. The token is inline (local) or read from Secrets Manager when needed, cached five
 * minutes by Powertools, so rotation needs no deploy.
 */
export function argoCd(): ArgoCdClient | undefined {
  const base = wiring();
  if (built?.base === base) return built.client;
  const settings = base.config.argocd;
  let client: ArgoCdClient | undefined;
  if (settings) {
    const { token, tokenSecretArn } = settings;
    client = new ArgoCdClient({
      baseUrl: settings.url,
      token: token
        ? () => token
        : async () => {
            const secret = await getSecret(tokenSecretArn!, { maxAge: 300 });
            if (typeof secret !== 'string' || !secret.trim()) throw new Error('The Argo CD token secret is empty');
            return secret.trim();
          },
      policy: { ...base.addressPolicy, timeoutMs: settings.timeoutMs },
      ...(settings.caPem ? { caPem: settings.caPem } : {}),
      clusters: settings.clusters,
    });
  }
  built = { base, client };
  return client;
}
