import { awsError, startFakeAwsJson } from './fake-aws-json.ts';

/** Secrets Manager's GetSecretValue / PutSecretValue / CreateSecret / DeleteSecret over its real wire protocol. */
export async function startFakeSecretsManager() {
  const secrets = new Map<string, string>();
  const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
  const notFound = () => awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  const fake = await startFakeAwsJson({
    GetSecretValue: ({ SecretId }) => {
      const value = secrets.get(SecretId as string);
      return value === undefined
        ? notFound()
        : { body: { ARN: arn(SecretId as string), Name: SecretId, SecretString: value, VersionId: 'v1', CreatedDate: Date.now() / 1000 } };
    },
    PutSecretValue: ({ SecretId, SecretString }) => {
      if (!secrets.has(SecretId as string)) return notFound();
      secrets.set(SecretId as string, SecretString as string);
      return { body: { ARN: arn(SecretId as string), Name: SecretId, VersionId: 'v2' } };
    },
    CreateSecret: ({ Name, SecretString }) => {
      if (secrets.has(Name as string)) return awsError('ResourceExistsException', 'exists');
      secrets.set(Name as string, SecretString as string);
      return { body: { ARN: arn(Name as string), Name, VersionId: 'v1' } };
    },
    DeleteSecret: ({ SecretId }) =>
      secrets.delete(SecretId as string) ? { body: { ARN: arn(SecretId as string), Name: SecretId, DeletionDate: Date.now() / 1000 } } : notFound(),
  });
  return { ...fake, secrets, operations: () => fake.requests.map((r) => r.operation) };
}
