import type { BusEvent, EventPublisher } from '../../ports.ts';
import { localRuntime } from './runtime-registry.ts';

export class LocalBusPublisher implements EventPublisher {
  async publish(events: BusEvent[]): Promise<void> {
    await localRuntime().putEvents(events);
  }
}
