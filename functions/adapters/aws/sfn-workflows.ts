import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { TaskCallbacks, WorkflowExecution, WorkflowStarter } from '../../ports.ts';

export class StepFunctionsWorkflows implements WorkflowStarter, TaskCallbacks {
  private readonly client: SFNClient;
  private readonly arns: Record<string, string>;

  constructor(options: { stateMachineArns: Record<string, string>; client?: SFNClient }) {
    this.client = options.client ?? new SFNClient({});
    this.arns = options.stateMachineArns;
  }

  async start(workflow: string, input: unknown, name?: string): Promise<{ executionId: string }> {
    const stateMachineArn = this.arns[workflow];
    if (!stateMachineArn) throw new Error(`Unknown workflow ${workflow}`);
    try {
      const result = await this.client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }));
      return { executionId: result.executionArn! };
    } catch (error) {
      // Same name, same input: Step Functions' own idempotency. Return the existing execution.
      if (error instanceof ExecutionAlreadyExists && name) {
        const executionArn = stateMachineArn.replace(':stateMachine:', ':execution:') + `:${name}`;
        return { executionId: executionArn };
      }
      throw error;
    }
  }

  async describe(executionId: string): Promise<WorkflowExecution | undefined> {
    try {
      const result = await this.client.send(new DescribeExecutionCommand({ executionArn: executionId }));
      return {
        executionId,
        status: (result.status ?? 'RUNNING') as WorkflowExecution['status'],
        output: result.output ? JSON.parse(result.output) : undefined,
        error: result.error,
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }

  async succeed(taskToken: string, output: unknown): Promise<void> {
    await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    await this.client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
  }
}
