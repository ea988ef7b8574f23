// Per-edge mesh evidence: the PromQL the pull runs, the summary it stores, and what counts as an abnormal edge.
import { describe, expect, it } from 'vitest';
import { abnormalSignals, edgeEvidenceQueries, edgesFromRows, settledSignals } from '../../../functions/core/mesh/evidence.ts';
import { explains, signalsFromReasons, symptomOf } from '../../../functions/core/alerts/explain.ts';

const m = (from: string, to: string, ns = 'shop') => ({
  source_workload: from,
  source_workload_namespace: ns,
  destination_workload: to,
  destination_workload_namespace: ns,
});

describe('edge evidence', () => {
  it('queries attempts, 5xx and durations per source and destination, with the best past minute as baseline', () => {
    const q = edgeEvidenceQueries({ namespaces: ['shop', 'bad"ns'], matchers: { cluster: 'dev' } });
    expect(q.errors).toContain('response_code=~"5.."');
    expect(q.errors).toContain('destination_workload_namespace=~"shop"');
    expect(q.errors).toContain('cluster="dev"');
    expect(q.baseLatencyMs).toMatch(
      /^min_over_time\(\(.*istio_request_duration_milliseconds_sum.*\/.*istio_request_duration_milliseconds_count.*\)\[30m:15s\] offset 1m\) or min_over_time\(.*\)\[30m:15s\]\)$/,
    );
    expect(() => edgeEvidenceQueries({ namespaces: ['shop'], window: '1 m' })).toThrow(/invalid rate window/);
    // the lowest short window over the last three minutes (or `sustained`): how bad the edge has been all along
    expect(q.sustainedErrorRatio).toMatch(
      /^min_over_time\(\(\(sum by .*response_code=~"5\.\.".*\[1m\]\)\) or sum by .*\[1m\]\)\) \* 0\) \/ sum by .*\[1m\]\)\)\)\[3m:15s\]\)$/,
    );
    // an edge that never failed has no 5xx series: its windows count as 0 %, in the baseline too
    expect(q.baseErrorRatio).toContain(' * 0) / sum by');
    const three = edgeEvidenceQueries({ namespaces: ['shop'], sustained: '3m' }).sustainedLatencyMs;
    expect(three).toContain('istio_request_duration_milliseconds_count{');
    expect(three).toMatch(/\)\[3m:15s\]\)$/);
    expect(() => edgeEvidenceQueries({ namespaces: ['shop'], sustained: '2m) or vector(1' })).toThrow(/invalid rate window/);
  });

  it('summarises rows per edge between pulled workloads only', () => {
    const rows = {
      requests: [
        { metric: m('order-service', 'payment-service'), value: 4 },
        { metric: { ...m('istio-ingressgateway', 'frontend'), source_workload_namespace: 'istio-system' }, value: 20 },
      ],
      errors: [{ metric: m('order-service', 'payment-service'), value: 1 }],
      durationSum: [{ metric: m('order-service', 'payment-service'), value: 400 }],
      durationCount: [{ metric: m('order-service', 'payment-service'), value: 4 }],
      baseErrorRatio: [{ metric: m('order-service', 'payment-service'), value: 0.002 }],
      baseLatencyMs: [{ metric: m('order-service', 'payment-service'), value: 90 }],
      sustainedErrorRatio: [{ metric: m('order-service', 'payment-service'), value: 0.2 }],
      sustainedLatencyMs: [],
    };
    expect(edgesFromRows(rows, ['shop'])).toEqual([
      {
        from: 'order-service',
        to: 'payment-service',
        rps: 4,
        errorRatio: 0.25,
        baselineErrorRatio: 0.002,
        latencyMs: 100,
        baselineLatencyMs: 90,
        sustainedErrorRatio: 0.2,
      },
    ]);
  });

  it('an edge is abnormal in errors or latency only beyond both a ratio and an absolute excess', () => {
    const base = { from: 'a', to: 'b', rps: 5, errorRatio: 0.005, baselineErrorRatio: 0.002, latencyMs: 50, baselineLatencyMs: 40 };
    expect(abnormalSignals(base)).toEqual(new Set());
    expect(abnormalSignals({ ...base, errorRatio: 0.3 })).toEqual(new Set(['errors']));
    expect(abnormalSignals({ ...base, latencyMs: 60, baselineLatencyMs: 10 })).toEqual(new Set(['latency']));
    expect(abnormalSignals({ ...base, latencyMs: 1000 })).toEqual(new Set(['latency']));
  });

  it('an edge failing throughout its sustained span, no worse now than at its lowest there, is settled', () => {
    const edge = { from: 'a', to: 'b', rps: 5, errorRatio: 0.4, baselineErrorRatio: 0.003, latencyMs: 900, baselineLatencyMs: 40 };
    expect(settledSignals(edge)).toEqual(new Set());
    expect(settledSignals({ ...edge, sustainedErrorRatio: 0.38, sustainedLatencyMs: 850 })).toEqual(new Set(['errors', 'latency']));
    // worse by half again and the absolute excess than at its lowest: the change may be what started the symptom
    expect(settledSignals({ ...edge, sustainedErrorRatio: 0.1, sustainedLatencyMs: 400 })).toEqual(new Set());
    // healthy at some point in the span (the failure began, or began again, within it): not settled
    expect(settledSignals({ ...edge, sustainedErrorRatio: 0.004, sustainedLatencyMs: 41 })).toEqual(new Set());
  });

  it('a settled edge explains none of the request signals that began with the symptom, and all the others', () => {
    const edges = [
      {
        from: 'frontend',
        to: 'user-service',
        rps: 11,
        errorRatio: 0.4,
        baselineErrorRatio: 0.003,
        sustainedErrorRatio: 0.4,
        latencyMs: 30,
        baselineLatencyMs: 30,
      },
    ];
    const user = new Set(['user-service']);
    const errors = { type: 'AnomalyDetected', signals: ['error_rate'], message: '' };
    expect(explains('frontend', symptomOf({ ...errors, onset: new Set(['errors'] as const) }), user, edges)).toBe('unexplained');
    // a symptom whose errors began earlier (a latency rise added to them now), or whose onset is not known
    expect(explains('frontend', symptomOf({ ...errors, onset: new Set(['latency'] as const) }), user, edges)).toBe('explained');
    expect(explains('frontend', symptomOf(errors), user, edges)).toBe('explained');
    // the edge got far worse since: it may be what started them
    expect(explains('frontend', symptomOf({ ...errors, onset: new Set(['errors'] as const) }), user, [{ ...edges[0], sustainedErrorRatio: 0.05 }])).toBe(
      'explained',
    );
  });

  it('explains a symptom through a path of abnormal edges, each request signal on its own, never an own failure', () => {
    const edges = [
      { from: 'frontend', to: 'order-service', rps: 7, errorRatio: 0.1, baselineErrorRatio: 0.003, latencyMs: 30, baselineLatencyMs: 30 },
      { from: 'order-service', to: 'payment-service', rps: 4, errorRatio: 0.4, baselineErrorRatio: 0.003, latencyMs: 20, baselineLatencyMs: 90 },
    ];
    const pay = new Set(['payment-service']);
    expect(explains('frontend', symptomOf({ type: 'AnomalyDetected', signals: ['error_rate'], message: '' }), pay, edges)).toBe('explained');
    expect(explains('frontend', symptomOf({ type: 'AnomalyDetected', signals: ['error_rate', 'latency_p95'], message: '' }), pay, edges)).toBe('unexplained');
    expect(explains('frontend', symptomOf({ type: 'AnomalyDetected', signals: ['cpu_usage'], message: '' }), pay, edges)).toBe('unexplained');
    expect(explains('order-service', symptomOf({ type: 'KubePodImagePullBackOff', message: '' }), pay, edges)).toBe('unexplained');
    expect(explains('frontend', symptomOf({ type: 'AnomalyDetected', signals: ['error_rate'], message: '' }), pay, undefined)).toBe('unknown');
    expect(signalsFromReasons(['guardrail: error_rate 43% ≥ guardrail 5%', 'baseline: latency_p95 2.1 s is 9×', 'learned: isolation forest'])).toEqual([
      'error_rate',
      'latency_p95',
    ]);
  });

  it('a caller failing far more often than its failing calls can account for has a fault of its own', () => {
    // frontend: 20 req/s, 7.5 calls/s to order-service of which 10 % fail (0.3 % before): at most ~3.6 % of its requests.
    const edges = [{ from: 'frontend', to: 'order-service', rps: 7.5, errorRatio: 0.1, baselineErrorRatio: 0.003 }];
    const order = new Set(['order-service']);
    const symptom = (errorRatio: number) =>
      symptomOf({ type: 'AnomalyDetected', signals: ['error_rate'], message: '', observed: { errorRatio, requestsPerSecond: 20 } });
    expect(explains('frontend', symptom(0.04), order, edges)).toBe('explained');
    // 3 × the bound plus 3 points: a share the edge windows' lag at a fault's onset can hide, still explained.
    expect(explains('frontend', symptom(0.12), order, edges)).toBe('explained');
    // 40 % of its requests fail: its own error burst, whatever order-service is doing.
    expect(explains('frontend', symptom(0.4), order, edges)).toBe('unexplained');
    // Without a measurement the edges alone decide, as before.
    expect(explains('frontend', symptomOf({ type: 'AnomalyDetected', signals: ['error_rate'], message: '' }), order, edges)).toBe('explained');
  });
});
