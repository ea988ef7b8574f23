import type { TaskCallbacks, WorkflowExecution, WorkflowStarter } from '../../ports.ts';
import { localRuntime } from './runtime-registry.ts';

export class LocalWorkflowStarter implements WorkflowStarter {
  start(workflow: string, input: unknown, name?: string): Promise<{ executionId: string }> {
    return localRuntime().startWorkflow(workflow, input, name);
  }

  describe(executionId: string): Promise<WorkflowExecution | undefined> {
    return localRuntime().describeExecution(executionId);
  }
}

export class LocalTaskCallbacks implements TaskCallbacks {
  succeed(taskToken: string, output: unknown): Promise<void> {
    return localRuntime().sendTaskSuccess(taskToken, output);
  }

  fail(taskToken: string, error: string, cause: string): Promise<void> {
    return localRuntime().sendTaskFailure(taskToken, error, cause);
  }
}
