/**
 * The API token in Secrets Manager during a rotation: both AWSCURRENT and AWSPREVIOUS are accepted.
 * Against a local endpoint speaking Secrets Manager's JSON protocol, so the SDK's own requests run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../functions/config.ts';
import { apiTokenProviderFromConfig, tokensMatch } from '../../../functions/http/api-token.ts';
import { awsError, startFakeAwsJson } from '../../support/fake-aws-json.ts';

const CURRENT = 'current-token-0123456789abcdef';
const PREVIOUS = 'previous-token-0123456789abcdef';
const stages: Record<string, string> = { AWSCURRENT: CURRENT, AWSPREVIOUS: PREVIOUS };
let fake: Awaited<ReturnType<typeof startFakeAwsJson>>;

beforeAll(async () => {
  fake = await startFakeAwsJson({
    GetSecretValue: ({ VersionStage }) => {
      const value = stages[(VersionStage as string | undefined) ?? 'AWSCURRENT'];
      if (value === undefined) return awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label");
      return {
        body: { ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fleetops-api-AbCdEf', Name: 'fleetops-api', SecretString: value, VersionId: 'v' },
      };
    },
  });
});
afterAll(() => fake?.stop());

const provider = () =>
  apiTokenProviderFromConfig({ API_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fleetops-api-AbCdEf' } as Config, {
    endpoint: fake.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

describe('API token rotation', () => {
  it('accepts the current and the previous token, and nothing else', async () => {
    const accepted = await provider().getTokens();
    expect(tokensMatch(CURRENT, accepted)).toBe(true);
    expect(tokensMatch(PREVIOUS, accepted)).toBe(true);
    expect(tokensMatch('someone-else-0123456789abcdef', accepted)).toBe(false);
  });

  it('accepts only the current token when the secret was never rotated, and remembers that', async () => {
    delete stages.AWSPREVIOUS;
    fake.requests.length = 0;
    const tokens = provider();
    expect(await tokens.getTokens()).toEqual([CURRENT]);
    expect(await tokens.getTokens()).toEqual([CURRENT]);
    expect(fake.requests.filter((r) => r.operation === 'GetSecretValue')).toHaveLength(2); // once per stage, then cached
  });
});
