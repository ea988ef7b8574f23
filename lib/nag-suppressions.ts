import { Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

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

/**
 * cdk-nag names a wildcard finding by the resource as rendered in the template: tokens become
 * `<AWS::Region>`-style placeholders, concrete values stay literal. This renders an ARN pattern
 * the same way, so acknowledgements match whether or not the stack has an explicit environment.
 */
export function nagResource(scope: IConstruct, pattern: string): string {
  const stack = Stack.of(scope);
  const render = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
  return pattern
    .replaceAll('{partition}', '<AWS::Partition>')
    .replaceAll('{region}', render(stack.region, '<AWS::Region>'))
    .replaceAll('{account}', render(stack.account, '<AWS::AccountId>'));
}

/** `<LogicalId.Arn>`, as cdk-nag renders a reference to a resource's ARN. */
export function nagArnOf(element: CfnElement): string {
  return `<${Stack.of(element).getLogicalId(element)}.Arn>`;
}

export function acknowledgeWildcard(scope: IConstruct, resource: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
}

export function acknowledgeWildcardAction(scope: IConstruct, action: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
}
