import type { BusEvent, WorkflowExecution } from '../../ports.ts';

/**
 * The local cloud (local/) runs every handler in its own Node process and registers itself here,
 * so the local adapters can reach the bus and the workflow runner without a network hop.
 */
export interface LocalRuntime {
  putEvents(events: BusEvent[]): Promise<void>;
  startWorkflow(workflow: string, input: unknown, name?: string): Promise<{ executionId: string }>;
  describeExecution(executionId: string): Promise<WorkflowExecution | undefined>;
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  /** The helm binary of the kubectl/helm layer, extracted on first use (deployments). */
  helmBinary?(): Promise<string>;
}

const KEY = Symbol.for('fleetops.localRuntime');
type WithRuntime = typeof globalThis & { [KEY]?: LocalRuntime };

export function registerLocalRuntime(runtime: LocalRuntime | undefined): void {
  (globalThis as WithRuntime)[KEY] = runtime;
}

export function localRuntime(): LocalRuntime {
  const runtime = (globalThis as WithRuntime)[KEY];
  if (!runtime) throw new Error('The local runtime is not running (start it with `npm start`)');
  return runtime;
}
