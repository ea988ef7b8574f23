import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BusEvent, Clock, EventPublisher, NotificationMessage, Notifier } from '../../../functions/ports.ts';
import type { NormalizedAlert } from '../../../functions/core/alerts/types.ts';
import { dedupFingerprint, instanceId } from '../../../functions/core/alerts/fingerprint.ts';

export class RecordingNotifier implements Notifier {
  readonly kind: string;
  readonly sent: NotificationMessage[] = [];
  failNext = 0;

  constructor(kind: string) {
    this.kind = kind;
  }

  async send(message: NotificationMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error(`${this.kind} unavailable`);
    }
    this.sent.push(message);
  }
}

export class RecordingPublisher implements EventPublisher {
  readonly events: BusEvent[] = [];
  async publish(events: BusEvent[]): Promise<void> {
    this.events.push(...events);
  }
  ofType(detailType: string): BusEvent[] {
    return this.events.filter((e) => e.detailType === detailType);
  }
}

export class TestClock implements Clock {
  current: Date;
  constructor(start = '2026-11-27T00:00:00.000Z') {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

export function alert(overrides: Partial<NormalizedAlert> & { cluster: string; service: string }): NormalizedAlert {
  const base = {
    source: 'test',
    namespace: 'shop',
    type: 'HighErrorRate',
    severity: 'critical' as const,
    status: 'firing' as const,
    message: `${overrides.service} 5xx ratio above 20%`,
    labels: {},
    startsAt: '2026-11-27T00:00:00.000Z',
    ...overrides,
  };
  return { ...base, fingerprint: dedupFingerprint(base), alertId: overrides.alertId ?? instanceId(base) };
}

const DATA_DIR = fileURLToPath(new URL('../../../../shared/data/alertmanager/', import.meta.url));

/** The shared real captures, or undefined (tests skip with a message) when this checkout has none. */
export function readShared(file: string): string | undefined {
  const path = `${DATA_DIR}${file}`;
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

export interface CapturedWebhook {
  seq: number;
  receivedAt: string;
  path: string;
  body: unknown;
}

export function capturedWebhooks(): CapturedWebhook[] | undefined {
  const text = readShared('webhooks.jsonl');
  return text
    ?.split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as CapturedWebhook);
}
