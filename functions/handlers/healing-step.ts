import type { Context } from 'aws-lambda';
import { idempotentStep } from '../idempotency.ts';
import { logger } from '../observability.ts';
import { healingSteps } from '../wiring/healing.ts';

/** One Lambda for every step of state-machines/healing.asl.json; `step` picks what to do. */
export interface HealingStepEvent extends Record<string, unknown> {
  step: string;
  healingId?: string;
  taskToken?: string;
  input?: unknown;
  error?: { Error?: string; Cause?: string };
}

type StepResult = Record<string, unknown> | undefined;

async function runStep(event: HealingStepEvent): Promise<StepResult> {
  const steps = healingSteps();
  const id = event.healingId ?? '';
  switch (event.step) {
    case 'safety':
      return steps.safety(id);
    case 'decide':
      return steps.decide(id);
    case 'expire':
      await steps.expire(id);
      return {};
    case 'claim':
      return steps.claim(id);
    case 'snapshot':
      await steps.snapshot(id);
      return {};
    case 'execute':
      return steps.execute(id);
    case 'verify':
      return steps.verify(id);
    case 'undo':
      await steps.undo(id);
      return {};
    case 'record':
      return steps.record(id);
    case 'fail':
      await steps.fail(id, event.error);
      return {};
    case 'notify':
      await steps.notify(id);
      return {};
    default:
      throw new Error(`Unknown healing step ${JSON.stringify(event.step).slice(0, 40)}`);
  }
}

/** Powertools idempotency keyed by healing id + step: a retried step returns its first result. */
const guardedStep = idempotentStep('healing-step', (event: HealingStepEvent) => runStep(event), { key: '[healingId, step]', requireKey: true });

export const handler = async (event: HealingStepEvent, context: Context): Promise<StepResult> => {
  logger.appendKeys({ healingId: event.healingId, step: event.step });
  try {
    switch (event.step) {
      // Not cached: `begin` is a conditional create, and a retried approval request must store its new token.
      case 'begin':
        return { ...(await healingSteps().begin(event.input)) };
      case 'request-approval':
        if (!event.healingId || !event.taskToken) throw new Error('request-approval needs healingId and taskToken');
        await healingSteps().requestApproval(event.healingId, event.taskToken);
        return {};
      default:
        if (!event.healingId) throw new Error(`Step ${event.step} needs a healingId`);
        return await guardedStep(event, context);
    }
  } finally {
    logger.removeKeys(['healingId', 'step']);
  }
};
