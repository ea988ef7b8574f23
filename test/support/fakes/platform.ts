/** In-memory shared ports (core/platform/ports.ts): a settable clock, a secret map, a recording bus. */
import type { BusEvent, Clock, EventPublisher, SecretStore } from '../../../functions/core/platform/ports.ts';

export class FixedClock implements Clock {
  #now: Date;
  constructor(start = '2026-12-01T00:00:00.000Z') {
    this.#now = new Date(start);
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now = new Date(this.#now.getTime() + ms);
  }
}

export class InMemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>();
  async put(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }
  async delete(name: string): Promise<void> {
    this.values.delete(name);
  }
}

export class RecordingPublisher implements EventPublisher {
  readonly events: BusEvent[] = [];
  failNext = 0;
  async publish(events: BusEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('bus unavailable');
    }
    this.events.push(...structuredClone(events));
  }
  ofType(detailType: string): BusEvent[] {
    return this.events.filter((e) => e.detailType === detailType);
  }
}
