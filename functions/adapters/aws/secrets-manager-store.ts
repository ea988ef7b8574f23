import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../../ports.ts';

/**
 * Secrets Manager with the stack's KMS key. Names are prefixed, and the IAM policy of the
 * functions is scoped to that prefix.
 */
export class SecretsManagerStore implements SecretStore {
  private readonly client: SecretsManagerClient;
  private readonly prefix: string;
  private readonly kmsKeyId?: string;

  constructor(options: { prefix: string; kmsKeyId?: string; client?: SecretsManagerClient }) {
    this.client = options.client ?? new SecretsManagerClient({});
    this.prefix = options.prefix;
    this.kmsKeyId = options.kmsKeyId;
  }

  async put(name: string, value: string): Promise<void> {
    const secretId = this.prefix + name;
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await this.client.send(
        new CreateSecretCommand({ Name: secretId, SecretString: value, KmsKeyId: this.kmsKeyId, Tags: [{ Key: 'app', Value: 'fleetops' }] }),
      );
    }
  }

  async get(name: string): Promise<string | undefined> {
    try {
      const result = await this.client.send(new GetSecretValueCommand({ SecretId: this.prefix + name }));
      return result.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: this.prefix + name, RecoveryWindowInDays: 7 }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
