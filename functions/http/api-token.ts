import { createHash, timingSafeEqual } from 'node:crypto';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../config.ts';
import type { ApiTokenProvider } from '../ports.ts';

const MAX_AGE_SECONDS = 300;

/**
 * In AWS the token lives in Secrets Manager (cached for 5 minutes per warm Lambda); locally in the
 * environment. During a rotation both AWSCURRENT and AWSPREVIOUS are accepted, so callers holding
 * the old token keep working until they pick up the new one.
 */
export function apiTokenProviderFromConfig(config: Config, clientConfig?: SecretsManagerClientConfig): ApiTokenProvider {
  if (config.FLEETOPS_API_TOKEN) {
    const token = config.FLEETOPS_API_TOKEN;
    return { getTokens: async () => [token] };
  }
  const secretId = config.API_TOKEN_SECRET_ARN;
  if (!secretId) throw new Error('Neither FLEETOPS_API_TOKEN nor API_TOKEN_SECRET_ARN is configured');
  // One provider per stage: Powertools caches by secret id only, not by version stage.
  const current = new SecretsProvider(clientConfig ? { clientConfig } : {});
  const previous = new SecretsProvider(clientConfig ? { clientConfig } : {});
  let noPrevious = 0;
  const readPrevious = async (): Promise<string | undefined> => {
    if (Date.now() - noPrevious < MAX_AGE_SECONDS * 1000) return undefined;
    try {
      const value = await previous.get(secretId, { maxAge: MAX_AGE_SECONDS, sdkOptions: { VersionStage: 'AWSPREVIOUS' } });
      return typeof value === 'string' ? value : undefined;
    } catch {
      noPrevious = Date.now(); // never rotated: remember that instead of asking on every request
      return undefined;
    }
  };
  return {
    async getTokens() {
      const [value, old] = await Promise.all([current.get(secretId, { maxAge: MAX_AGE_SECONDS }), readPrevious()]);
      if (typeof value !== 'string' || value.length < 16) throw new Error('API token secret is empty or too short');
      return old && old.length >= 16 && old !== value ? [value, old] : [value];
    },
  };
}

/** Extracts the bearer token from an Authorization header value; undefined when absent or malformed. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization?.match(/^Bearer[ ]+([\x21-\x7e]+)\s*$/i);
  return match?.[1];
}

/** Compares digests so neither the content nor the length of a token leaks through timing; every token is compared. */
export function tokensMatch(presented: string, accepted: string[]): boolean {
  const a = createHash('sha256').update(presented).digest();
  let match = false;
  for (const token of accepted) match = timingSafeEqual(a, createHash('sha256').update(token).digest()) || match;
  return match;
}
