import { createHash, timingSafeEqual } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { Config } from '../config.ts';
import type { ApiTokenProvider } from '../ports.ts';

/** In AWS the token lives in Secrets Manager (cached for 5 minutes per warm Lambda); locally in the environment. */
export function apiTokenProviderFromConfig(config: Config): ApiTokenProvider {
  if (config.FLEETOPS_API_TOKEN) {
    const token = config.FLEETOPS_API_TOKEN;
    return { getToken: async () => token };
  }
  const secretId = config.API_TOKEN_SECRET_ARN;
  if (!secretId) throw new Error('Neither FLEETOPS_API_TOKEN nor API_TOKEN_SECRET_ARN is configured');
  return {
    async getToken() {
      const value = await getSecret(secretId, { maxAge: 300 });
      if (typeof value !== 'string' || value.length < 16) throw new Error('API token secret is empty or too short');
      return value;
    },
  };
}

/** Extracts the bearer token from an Authorization header value; undefined when absent or malformed. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization?.match(/^Bearer[ ]+([\x21-\x7e]+)\s*$/i);
  return match?.[1];
}

/** Compares digests so neither the content nor the length of the token leaks through timing. */
export function tokensMatch(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
