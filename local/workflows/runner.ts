import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import type { WorkflowDefinition } from '../../functions/definitions/workflows.ts';
import type { WorkflowExecution } from '../../functions/ports.ts';

type Json = unknown;
type StateMap = Record<string, Record<string, unknown>>;

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/** `$$.Task.Token` resolves to this in the context object; each task swaps in a fresh token. */
const TOKEN_PLACEHOLDER = '__fleetops_local_task_token__';

export type FunctionInvoker = (handler: string, payload: unknown) => Promise<unknown>;

interface PendingTask {
  resolve(output: unknown): void;
  reject(error: Error): void;
}

class TaskFailedError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** Walks a definition's states, including Map item processors and Parallel branches. */
function* allTaskStates(states: StateMap): Generator<[string, Record<string, unknown>]> {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') yield [name, state];
    const processor = (state.ItemProcessor ?? state.Iterator) as { States?: StateMap } | undefined;
    if (processor?.States) yield* allTaskStates(processor.States);
    for (const branch of (state.Branches as { States: StateMap }[] | undefined) ?? []) yield* allTaskStates(branch.States);
  }
}

const LOCAL_FUNCTION_ARN = 'arn:aws:lambda:local:000000000000:function:fleetops-';

/** Substitutes `${Key}` the way CDK's definitionSubstitutions do, with local function ARNs. */
function loadDefinition(path: string, definition: WorkflowDefinition): { States: StateMap } {
  const text = readFileSync(path, 'utf8').replace(/\$\{(\w+)\}/g, (whole, key: string) => {
    const handler = definition.functions[key];
    if (!handler) throw new Error(`Workflow ${definition.name}: no handler for substitution ${whole}`);
    return LOCAL_FUNCTION_ARN + handler;
  });
  return JSON.parse(text) as { States: StateMap };
}

function handlerOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(LOCAL_FUNCTION_ARN) ? value.slice(LOCAL_FUNCTION_ARN.length) : undefined;
}

function replaceDeep(value: Json, from: string, to: string): Json {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  }
  return value;
}

/**
 * Runs `state-machines/*.asl.json` with aws-local-stepfunctions. Each Task whose resource is a
 * `${Placeholder}` (directly, or as `FunctionName` of lambda:invoke[.waitForTaskToken]) runs the
 * handler the workflow definition maps it to. Task tokens are answered through
 * `sendTaskSuccess` / `sendTaskFailure`, the local side of the TaskCallbacks port.
 */
export class LocalWorkflowRunner {
  private readonly executions = new Map<string, WorkflowExecution & { startedAt: string; done: Promise<void> }>();
  private readonly pending = new Map<string, PendingTask>();

  private readonly definitions: WorkflowDefinition[];
  private readonly invoke: FunctionInvoker;
  private readonly options: { rootDir: string; waitScale?: number; onFailure?: (workflow: string, error: string) => void };

  constructor(
    definitions: WorkflowDefinition[],
    invoke: FunctionInvoker,
    options: { rootDir: string; waitScale?: number; onFailure?: (workflow: string, error: string) => void },
  ) {
    this.definitions = definitions;
    this.invoke = invoke;
    this.options = options;
  }

  async start(workflow: string, input: unknown, name?: string): Promise<{ executionId: string }> {
    const definition = this.definitions.find((d) => d.name === workflow);
    if (!definition) throw new Error(`Unknown workflow ${workflow}`);
    const executionId = `arn:aws:states:local:000000000000:execution:fleetops-${workflow}:${name ?? randomUUID()}`;
    if (this.executions.has(executionId)) return { executionId };

    const asl = loadDefinition(join(this.options.rootDir, definition.file), definition);
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    const waitTimeOverrides: Record<string, number> = {};
    for (const [stateName, state] of allTaskStates(asl.States)) {
      handlers[stateName] = this.taskHandler(definition, stateName, state);
    }
    if (this.options.waitScale !== undefined) collectWaits(asl.States, waitTimeOverrides, this.options.waitScale);

    const machine = new StateMachine(asl as never, { validationOptions: { checkPaths: false, checkArn: false } as never });
    const execution = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides },
      context: {
        Execution: { Id: executionId, Name: executionId.split(':').pop(), Input: input, StartTime: new Date().toISOString() },
        Task: { Token: TOKEN_PLACEHOLDER },
      } as never,
    });
    const record = { executionId, status: 'RUNNING' as WorkflowExecution['status'], startedAt: new Date().toISOString(), done: Promise.resolve() };
    record.done = execution.result.then(
      (output) => {
        Object.assign(record, { status: 'SUCCEEDED', output });
      },
      (error: Error) => {
        const message = `${error.name}: ${error.message}`;
        Object.assign(record, { status: 'FAILED', error: message });
        this.options.onFailure?.(workflow, message);
      },
    );
    this.executions.set(executionId, record);
    return { executionId };
  }

  async describe(executionId: string): Promise<WorkflowExecution | undefined> {
    const record = this.executions.get(executionId);
    if (!record) return undefined;
    return { executionId, status: record.status, output: record.output, error: record.error };
  }

  /** Resolves when the execution has finished (tests and `fleetops invoke`). */
  async wait(executionId: string): Promise<WorkflowExecution | undefined> {
    await this.executions.get(executionId)?.done;
    return this.describe(executionId);
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    this.takePending(taskToken).resolve(output);
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    this.takePending(taskToken).reject(new TaskFailedError(error, cause));
  }

  private takePending(taskToken: string): PendingTask {
    const task = this.pending.get(taskToken);
    if (!task) {
      const error = new Error('Task Timed Out or does not exist');
      error.name = 'TaskDoesNotExist';
      throw error;
    }
    this.pending.delete(taskToken);
    return task;
  }

  private taskHandler(definition: WorkflowDefinition, stateName: string, state: Record<string, unknown>): (input: Json) => Promise<Json> {
    const resource = state.Resource as string;
    const direct = handlerOf(resource);
    const viaInvoke = resource === LAMBDA_INVOKE || resource === LAMBDA_INVOKE_WAIT;
    const handler = direct ?? (viaInvoke ? handlerOf((state.Parameters as Record<string, unknown> | undefined)?.FunctionName) : undefined);
    if (!handler) throw new Error(`Workflow ${definition.name}: state "${stateName}" uses a resource with no local handler (${resource})`);

    if (direct) return (input) => this.invoke(handler, input);
    if (resource === LAMBDA_INVOKE) {
      return async (input) => ({
        ExecutedVersion: '$LATEST',
        StatusCode: 200,
        Payload: await this.invoke(handler, (input as { Payload?: unknown }).Payload ?? input),
      });
    }
    return async (input) => {
      const token = randomUUID();
      const payload = replaceDeep((input as { Payload?: unknown }).Payload ?? input, TOKEN_PLACEHOLDER, token);
      const callback = new Promise<unknown>((resolve, reject) => this.pending.set(token, { resolve, reject }));
      try {
        await this.invoke(handler, payload);
      } catch (error) {
        this.pending.delete(token);
        throw error;
      }
      return callback as Promise<Json>;
    };
  }
}

function collectWaits(states: StateMap, overrides: Record<string, number>, scale: number): void {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Wait' && typeof state.Seconds === 'number') overrides[name] = state.Seconds * 1000 * scale;
    const processor = (state.ItemProcessor ?? state.Iterator) as { States?: StateMap } | undefined;
    if (processor?.States) collectWaits(processor.States, overrides, scale);
    for (const branch of (state.Branches as { States: StateMap }[] | undefined) ?? []) collectWaits(branch.States, overrides, scale);
  }
}
