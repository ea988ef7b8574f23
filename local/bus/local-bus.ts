import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { EventTarget, RuleDefinition } from '../../functions/definitions/events.ts';
import type { BusEvent } from '../../functions/ports.ts';
import { matchesPattern } from './event-pattern.ts';

/** The envelope EventBridge delivers to targets. */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface DeadLetter {
  ruleId: string;
  event: EventEnvelope;
  error: string;
  attempts: number;
}

export type TargetInvoker = (target: EventTarget, event: EventEnvelope) => Promise<unknown>;

export function toEnvelope(event: BusEvent): EventEnvelope {
  return {
    version: '0',
    id: event.id ?? randomUUID(),
    'detail-type': event.detailType,
    source: event.source,
    account: '000000000000',
    time: event.time ?? new Date().toISOString(),
    region: 'local',
    resources: event.resources ?? [],
    detail: event.detail ?? {},
  };
}

/**
 * The local EventBridge: asynchronous delivery to every rule whose pattern matches, retried with
 * backoff like EventBridge, and kept in a dead-letter file when every attempt failed.
 */
export class LocalEventBus {
  readonly deadLetters: DeadLetter[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  private readonly rules: RuleDefinition[];
  private readonly invoke: TargetInvoker;
  private readonly options: { maxAttempts?: number; backoffMs?: number; deadLetterFile?: string; onError?: (d: DeadLetter) => void };

  constructor(
    rules: RuleDefinition[],
    invoke: TargetInvoker,
    options: { maxAttempts?: number; backoffMs?: number; deadLetterFile?: string; onError?: (d: DeadLetter) => void } = {},
  ) {
    this.rules = rules;
    this.invoke = invoke;
    this.options = options;
  }

  async put(events: BusEvent[]): Promise<EventEnvelope[]> {
    const envelopes = events.map(toEnvelope);
    for (const envelope of envelopes) {
      for (const rule of this.rules) {
        if (!matchesPattern(rule.pattern, envelope)) continue;
        const delivery = this.deliver(rule, envelope).finally(() => this.inFlight.delete(delivery));
        this.inFlight.add(delivery);
      }
    }
    return envelopes;
  }

  /** Resolves when every delivery (including those triggered by deliveries) has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(rule: RuleDefinition, envelope: EventEnvelope): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    let lastError = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        // Let the publisher's own request finish first, as with the real, asynchronous bus.
        await new Promise((resolve) => setImmediate(resolve));
        await this.invoke(rule.target, envelope);
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
        if (attempt < maxAttempts) await new Promise((r) => setTimeout(r, (this.options.backoffMs ?? 200) * 2 ** (attempt - 1)));
      }
    }
    const letter = { ruleId: rule.id, event: envelope, error: lastError, attempts: maxAttempts };
    this.deadLetters.push(letter);
    if (this.options.deadLetterFile) appendFileSync(this.options.deadLetterFile, JSON.stringify(letter) + '\n', { mode: 0o600 });
    this.options.onError?.(letter);
  }
}
