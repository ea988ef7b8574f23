import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { rcaCompletedEvent, rulesReport } from '../core/rca/complete.ts';
import { mergeEvidence, type Evidence, type RcaTarget } from '../core/rca/evidence.ts';
import type { RcaReport } from '../core/rca/report.ts';
import { logger, metrics } from '../observability.ts';
import { wiring } from '../wiring.ts';
import { rcaDiagnoser } from '../wiring/rca-diagnoser.ts';
import { rcaStore } from '../wiring/rca.ts';

async function diagnose(evidence: Evidence): Promise<RcaReport> {
  const { findings, report } = rulesReport(evidence);
  const diagnoser = rcaDiagnoser();
  if (!diagnoser) return report;
  const result = await diagnoser.diagnose({ evidence, findings, rules: report });
  if (result.usage) {
    metrics.addMetric('RcaModelInputTokens', MetricUnit.Count, result.usage.inputTokens);
    metrics.addMetric('RcaModelOutputTokens', MetricUnit.Count, result.usage.outputTokens);
    metrics.addMetric('RcaModelTurns', MetricUnit.Count, result.usage.turns);
  }
  if ('fallback' in result) {
    metrics.addMetric('RcaModelFallbacks', MetricUnit.Count, 1);
    logger.warn('rca model fell back to rules', { rcaId: evidence.target.rcaId, reason: result.fallback });
    return { ...report, fallbackReason: result.fallback };
  }
  return result.report;
}

/**
 * After the Parallel evidence state: analyzers, the report (rules, or the model's when it passes),
 * stored once, then RcaCompleted. A retry after the store publishes again with the same event id.
 */
export const handler = middy(async (input: { rcaId: string; target: RcaTarget; parts: unknown[] }) => {
  const evidence = mergeEvidence(input.target, (input.parts ?? []) as Parameters<typeof mergeEvidence>[1]);
  const started = Date.now();
  const report = await diagnose(evidence);
  const now = new Date();
  const stored = await rcaStore().complete(input.rcaId, report, now);
  const record = stored ? undefined : await rcaStore().get(input.rcaId);
  const final = record?.report ?? report;
  if (stored || record?.status === 'SUCCEEDED') await wiring().events.publish([rcaCompletedEvent(evidence, final)]);
  metrics.addMetric('RcaCompleted', MetricUnit.Count, 1);
  logger.info('rca completed', {
    rcaId: input.rcaId,
    engine: final.engine,
    top: final.rootCauses[0]?.category,
    ms: Date.now() - started,
    missing: evidence.errors.length,
  });
  return { rcaId: input.rcaId, engine: final.engine, issueType: final.issueType, topCause: final.rootCauses[0]?.category };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
