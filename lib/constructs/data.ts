import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { TableDefinition } from '../../functions/definitions/table.ts';

export interface DataProps {
  /** The table's definition, shared with the local cloud (functions/definitions/table.ts). */
  table: TableDefinition;
  /** Retain data on stack deletion (default true). */
  retain?: boolean;
}

/**
 * The stack's state: one KMS key for everything at rest, the single DynamoDB table (access
 * patterns documented in functions/definitions/table.ts), and the API bearer token.
 */
export class Data extends Construct {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  readonly apiToken: secretsmanager.Secret;
  /**
   * Kubeconfigs and other credentials are created at run time under this name prefix: the stack's
   * name, so two stacks in one account (stages, tenants) never share, or can reach, each other's.
   */
  readonly secretPrefix: string;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    this.secretPrefix = `${Stack.of(this).stackName}/`;
    const removalPolicy = props.retain === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.key = new kms.Key(this, 'Key', {
      description: 'fleetops: DynamoDB, Secrets Manager, logs and queues at rest',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(7),
    });

    // Encrypted log groups need CloudWatch Logs on the key, limited to this account's log groups.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${Stack.of(this).region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Stack.of(this).partition}:logs:${Stack.of(this).region}:${Stack.of(this).account}:log-group:*`,
          },
        },
      }),
    );

    const attr = (a: { name: string; type: 'S' | 'N' }) => ({
      name: a.name,
      type: a.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
    });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: attr(props.table.partitionKey),
      sortKey: attr(props.table.sortKey),
      timeToLiveAttribute: props.table.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      deletionProtection: props.retain !== false,
      removalPolicy,
    });
    for (const index of props.table.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({ indexName: index.indexName, partitionKey: attr(index.partitionKey), sortKey: attr(index.sortKey) });
    }

    this.apiToken = new secretsmanager.Secret(this, 'ApiToken', {
      description: 'fleetops: bearer token for /v1/* (rotate by putting a new value)',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.apiToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A static bearer token shared with API clients: operators rotate it with put-secret-value when clients are updated; functions re-read it within 5 minutes. Automatic rotation would lock clients out.',
    });
  }
}
