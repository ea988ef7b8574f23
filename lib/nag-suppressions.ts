import { Validations, type Stack } from 'aws-cdk-lib';

/** Each acknowledged cdk-nag finding says why it is accepted. Keep this list short and specific. */
export function applyNagSuppressions(stack: Stack): void {
  const acknowledge = (id: string, reason: string) => Validations.of(stack).acknowledge({ id, reason });
  acknowledge(
    'AwsSolutions-L1',
    'The product targets nodejs22.x on purpose (its contract, and @kubernetes/client-node 2.x needs Node >= 22.19); the runtime is pinned, not forgotten.',
  );
  acknowledge(
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AWSLambdaBasicExecutionRole only lets a function write its own logs; CDK attaches it to every Lambda role.',
  );
}
