import type { SignalName } from '../metrics/types.ts';

export type { Severity } from '../platform/severity.ts';
import type { Severity } from '../platform/severity.ts';

/** The detection layers, cheapest and surest first; the record names the first one that fired. */
export type DetectionLayer = 'guardrail' | 'peers' | 'baseline' | 'learned';

export const LAYER_ORDER: readonly DetectionLayer[] = ['guardrail', 'peers', 'baseline', 'learned'];

/** What one layer concluded about one sample. */
export interface LayerFinding {
  layer: DetectionLayer;
  fired: boolean;
  /** Human sentences: why it fired (or, for a layer not yet able to judge, why not). */
  reasons: string[];
  /** The signals that made it fire. */
  signals: SignalName[];
  severity: Severity;
}

/** Carried from pull to pull on the anomaly record. */
export interface ConditionState {
  active: boolean;
  /** When the ongoing condition started. */
  since?: string;
  /** Quiet pulls in a row while still active. */
  quietPulls: number;
  /** Highest severity reached by the ongoing condition (a new event only when it rises). */
  peakSeverity?: Severity;
  /** Consecutive pulls the learned layer has flagged (it counts from `learned.persistPulls`). */
  learnedPulls?: number;
  /** Signals the ongoing condition has fired on so far (a new one is news: `worsened`). */
  signals?: SignalName[];
  /** Its request signals' values when it was last sent (started or worsened): a rise past them is news too. */
  sentValues?: Partial<Record<SignalName, number>>;
}
