import type { Severity } from './severity.ts';
/**
 * The ports every feature shares: time, secrets, the event bus, workflows and notifications.
 * A feature's own ports live in its folder (core/<feature>/ports.ts); these are the shared kernel.
 */

export interface Clock {
  now(): Date;
}

/** Credentials and other secret values. Secrets Manager (KMS) in AWS, an AES-256-GCM file locally. */
export interface SecretStore {
  put(name: string, value: string): Promise<void>;
  /** Returns undefined when the secret does not exist. */
  get(name: string): Promise<string | undefined>;
  delete(name: string): Promise<void>;
}

export interface BusEvent<T = unknown> {
  source: string;
  detailType: string;
  detail: T;
  /** Lets consumers drop redeliveries; defaults to a random id. */
  id?: string;
  time?: string;
  resources?: string[];
}

export interface EventPublisher {
  publish(events: BusEvent[]): Promise<void>;
}

export interface WorkflowExecution {
  executionId: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  output?: unknown;
  error?: string;
}

export interface WorkflowStarter {
  /** `name` makes the start idempotent: the same name returns the existing execution. */
  start(workflow: string, input: unknown, name?: string): Promise<{ executionId: string }>;
  describe(executionId: string): Promise<WorkflowExecution | undefined>;
}

/** Answers a `.waitForTaskToken` task, the same call as SendTaskSuccess / SendTaskFailure. */
export interface TaskCallbacks {
  succeed(taskToken: string, output: unknown): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

export interface NotificationMessage {
  incidentId: string;
  title: string;
  text: string;
  severity: Severity;
  status: 'open' | 'acknowledged' | 'resolved' | 'escalated';
  channel?: string;
  fields?: Record<string, string>;
  link?: string;
  /** Buttons for chat notifiers that support them (Slack): pressing one posts to `/v1/slack/interactions`. */
  actions?: NotificationAction[];
}

export interface NotificationAction {
  text: string;
  actionId: string;
  value: string;
  style?: 'primary' | 'danger';
}

export interface Notifier {
  readonly kind: string;
  send(message: NotificationMessage): Promise<void>;
}
