import { ArnFormat, Stack, type CfnElement } from 'aws-cdk-lib';
import { acknowledgeWildcard, nagArnOf } from '../nag-suppressions.ts';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { join } from 'node:path';
import type { WorkflowDefinition } from '../../functions/definitions/workflows.ts';

export interface WorkflowsProps {
  /** Shared with the local runner (functions/definitions/workflows.ts). */
  workflows: WorkflowDefinition[];
  projectRoot: string;
  functionFor(handler: string): lambda.IFunction;
  key: kms.IKey;
}

/** The state machine name; deterministic, so functions can be given ARNs without a dependency cycle. */
export function stateMachineName(stack: Stack, workflow: string): string {
  return `${stack.stackName}-${workflow}`;
}

export function stateMachineArn(stack: Stack, workflow: string): string {
  return stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: stateMachineName(stack, workflow),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Step Functions from the same `state-machines/*.asl.json` the local runner executes. */
export class Workflows extends Construct {
  readonly stateMachines = new Map<string, sfn.StateMachine>();

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    for (const workflow of props.workflows) {
      const substitutions: Record<string, string> = {};
      const invoked: lambda.IFunction[] = [];
      for (const [key, handler] of Object.entries(workflow.functions)) {
        const fn = props.functionFor(handler);
        substitutions[key] = fn.functionArn;
        invoked.push(fn);
      }
      const logGroup = new logs.LogGroup(this, `${workflow.name}-logs`, {
        logGroupName: `/aws/vendedlogs/states/${stateMachineName(stack, workflow.name)}`,
        retention: logs.RetentionDays.ONE_MONTH,
        encryptionKey: props.key,
      });
      const machine = new sfn.StateMachine(this, workflow.name, {
        stateMachineName: stateMachineName(stack, workflow.name),
        definitionBody: sfn.DefinitionBody.fromFile(join(props.projectRoot, workflow.file)),
        definitionSubstitutions: substitutions,
        tracingEnabled: true,
        logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      });
      for (const fn of invoked) {
        fn.grantInvoke(machine);
        acknowledgeWildcard(
          machine,
          `${nagArnOf(fn.node.defaultChild as CfnElement)}:*`,
          'CDK’s grantInvoke covers the function’s versions and aliases (`:*`) of this one function.',
        );
      }
      acknowledgeWildcard(machine, '*', 'Step Functions log delivery and X-Ray actions support no resource-level permissions.');
      this.stateMachines.set(workflow.name, machine);
    }
  }
}
