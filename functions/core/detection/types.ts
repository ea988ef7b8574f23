import type { SignalName } from '../metrics/types.ts';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

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
