/**
 * Layered detection of one service at one pull, with state. Pure: the pull (core/pull/metric-pull.ts)
 * and the replay benchmark (bench/detection-replay.bench.ts) call exactly this.
 *
 * Layers, in the order the record names them: guardrails (first sample), fleet peers, short
 * baseline (third sample), learned models (after their warm-up). Any layer firing makes the service
 * anomalous. The condition then lasts until no layer has fired for `resolveAfterPulls` consecutive
 * pulls, at which point it resolves. The state travels on the anomaly record itself, so a retried
 * pull (same planned time, same pullId) recomputes from the same previous record: idempotent.
 */
import type { IsolationForest } from '../anomaly/isolation-forest.ts';
import type { GoldenSignals, SignalName } from '../metrics/types.ts';
import { baselineWindow, checkBaseline, DEFAULT_BASELINE_OPTIONS, type BaselineOptions, type TimedSample } from './baseline.ts';
import { checkGuardrails, severityRank, worst, type GuardrailLimits } from './guardrails.ts';
import { checkLearned, DEFAULT_LEARNED_OPTIONS, type LearnedOptions } from './learned.ts';
import { checkPeers, DEFAULT_PEER_OPTIONS, type PeerOptions, type PeerSample } from './peers.ts';
import { LAYER_ORDER, type ConditionState, type DetectionLayer, type LayerFinding, type Severity } from './types.ts';

export type { ConditionState } from './types.ts';

export interface DetectionConfig {
  /** Consecutive quiet pulls before a condition resolves (K). */
  resolveAfterPulls: number;
  /** Peer samples older than this are ignored (a cluster that stopped reporting is no peer). */
  peerFreshnessMinutes: number;
  baseline: BaselineOptions;
  peers: PeerOptions;
  learned: LearnedOptions;
}

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = {
  resolveAfterPulls: 2,
  peerFreshnessMinutes: 15,
  baseline: DEFAULT_BASELINE_OPTIONS,
  peers: DEFAULT_PEER_OPTIONS,
  learned: DEFAULT_LEARNED_OPTIONS,
};

export type Transition = 'started' | 'worsened' | 'continuing' | 'clearing' | 'resolved' | 'quiet';

export interface DetectionInput {
  at: string;
  features: GoldenSignals;
  /** Earlier samples of the same series, oldest first (not including this one). */
  history: readonly TimedSample[];
  /** The same service's latest samples on the other clusters. */
  peers: readonly PeerSample[];
  guardrails: GuardrailLimits;
  previous?: ConditionState;
  forest?: IsolationForest;
  autoencoder?: number;
  config?: Partial<DetectionConfig>;
}

export interface DetectionResult {
  status: 'anomaly' | 'normal';
  severity: Severity;
  score: number;
  /** The first layer (in LAYER_ORDER) that fired at this pull. */
  layer?: DetectionLayer;
  /** Every layer that fired at this pull. */
  layers: DetectionLayer[];
  reasons: string[];
  findings: LayerFinding[];
  streaming: Partial<Record<keyof GoldenSignals, number>>;
  state: ConditionState;
  transition: Transition;
}

const SEVERITY_SCORE: Record<Severity, number> = { low: -0.5, medium: -0.62, high: -0.75, critical: -0.9 };

export function detect(input: DetectionInput): DetectionResult {
  const config = { ...DEFAULT_DETECTION_CONFIG, ...input.config };
  const previous: ConditionState = input.previous ?? { active: false, quietPulls: 0 };
  const now = Date.parse(input.at);
  const freshPeers = input.peers.filter((p) => Math.abs(now - Date.parse(p.at)) <= config.peerFreshnessMinutes * 60_000);
  const window = baselineWindow(input.history, input.at, previous.active ? previous.since : undefined, config.baseline);
  const rawLearned = checkLearned(
    { at: input.at, features: input.features, history: input.history, forest: input.forest, autoencoder: input.autoencoder },
    config.learned,
  );
  const learnedPulls = rawLearned.fired ? (previous.learnedPulls ?? 0) + 1 : 0;
  const learned =
    rawLearned.fired && learnedPulls < config.learned.persistPulls
      ? { ...rawLearned, fired: false, reasons: [`flagged ${learnedPulls} of ${config.learned.persistPulls} pulls needed: ${rawLearned.reasons.join('; ')}`] }
      : rawLearned;
  const findings: LayerFinding[] = [
    checkGuardrails(input.features, input.guardrails),
    checkPeers(input.features, freshPeers, config.peers),
    checkBaseline(input.features, window, config.baseline),
    learned,
  ];
  const fired = findings.filter((f) => f.fired).sort((a, b) => LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer));
  const streaming = learned.streaming;

  if (fired.length > 0) {
    const severity = worst(fired.map((f) => f.severity));
    const peak = previous.active && previous.peakSeverity && severityRank(previous.peakSeverity) >= severityRank(severity) ? previous.peakSeverity : severity;
    // A signal the ongoing condition did not have (a latency spike on a service already failing with errors)
    // is news too: alert grouping decides whether it is the same fault.
    const signals = [...new Set([...(previous.active ? (previous.signals ?? []) : []), ...fired.flatMap((f) => f.signals)])].sort();
    const newSignal = previous.active && previous.signals !== undefined && signals.length > previous.signals.length;
    const firedNow = [...new Set(fired.flatMap((f) => f.signals))];
    const transition: Transition = !previous.active
      ? 'started'
      : severityRank(severity) > severityRank(previous.peakSeverity ?? 'low') ||
          newSignal ||
          grownSinceSent(input.features, firedNow, previous, config.baseline)
        ? 'worsened'
        : 'continuing';
    // A signal quiet at this send keeps the value it was last sent at.
    const sent =
      transition === 'continuing'
        ? previous.sentValues
        : { ...(transition === 'worsened' ? previous.sentValues : {}), ...requestValues(input.features, firedNow) };
    return {
      status: 'anomaly',
      severity,
      score: round(Math.min(learned.score, SEVERITY_SCORE[severity])),
      layer: fired[0].layer,
      layers: fired.map((f) => f.layer),
      reasons: fired.flatMap((f) => f.reasons.map((r) => `${f.layer}: ${r}`)),
      findings,
      streaming,
      state: {
        active: true,
        since: previous.active && previous.since ? previous.since : input.at,
        quietPulls: 0,
        peakSeverity: peak,
        learnedPulls,
        signals,
        ...(sent && Object.keys(sent).length ? { sentValues: sent } : {}),
      },
      transition,
    };
  }

  const quiet = findings.flatMap((f) => (f.fired ? [] : f.reasons.map((r) => `${f.layer}: ${r}`)));
  if (previous.active) {
    const quietPulls = previous.quietPulls + 1;
    if (quietPulls < config.resolveAfterPulls) {
      return {
        status: 'anomaly',
        severity: previous.peakSeverity ?? 'medium',
        score: round(learned.score),
        layers: [],
        reasons: [`clearing: no layer fired for ${quietPulls} of ${config.resolveAfterPulls} pulls`, ...quiet],
        findings,
        streaming,
        state: { ...previous, quietPulls, learnedPulls },
        transition: 'clearing',
      };
    }
    return {
      status: 'normal',
      severity: 'low',
      score: round(learned.score),
      layers: [],
      reasons: [`resolved: quiet for ${quietPulls} pulls`, ...quiet],
      findings,
      streaming,
      state: { active: false, quietPulls: 0, learnedPulls },
      transition: 'resolved',
    };
  }
  return {
    status: 'normal',
    severity: 'low',
    score: round(learned.score),
    layers: [],
    reasons: quiet,
    findings,
    streaming,
    state: { active: false, quietPulls: 0, learnedPulls },
    transition: 'quiet',
  };
}

const round = (v: number): number => Number(v.toFixed(4));

export type { PeerSample, TimedSample };

/** Request signals, whose rise a callee may explain: grouping weighs a second fault on top of an ongoing one by them. */
const REQUEST_SIGNALS: readonly SignalName[] = ['error_rate', 'latency_p95'];

function requestValues(features: GoldenSignals, signals: readonly SignalName[]): Partial<Record<SignalName, number>> {
  const out: Partial<Record<SignalName, number>> = {};
  for (const s of signals) {
    const v = features[s];
    if (REQUEST_SIGNALS.includes(s) && v !== null && Number.isFinite(v)) out[s] = v;
  }
  return out;
}

/**
 * A request signal of the ongoing condition that has risen past its value when the condition was last sent by as much
 * as the baseline layer asks of a rise over normal (its ratio and absolute excess): another fault may have begun on
 * top of the first (a service slowed by its callee slowing down itself), and is news even at the same severity.
 */
function grownSinceSent(features: GoldenSignals, fired: readonly SignalName[], previous: ConditionState, baseline: BaselineOptions): boolean {
  for (const s of fired) {
    const sent = previous.sentValues?.[s];
    const rule = baseline.rules[s];
    const x = features[s];
    if (sent === undefined || !rule || !REQUEST_SIGNALS.includes(s) || x === null) continue;
    if (x >= rule.ratio * sent && x - sent >= rule.minExcess) return true;
  }
  return false;
}
