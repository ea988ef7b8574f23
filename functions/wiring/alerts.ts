import { DynamoAlertStore } from '../adapters/aws/dynamodb/alert-store.ts';
import { BedrockImportanceScorer } from '../adapters/notify/bedrock-importance.ts';
import { PagerDutyNotifier } from '../adapters/notify/pagerduty.ts';
import { SesEmailNotifier } from '../adapters/notify/ses-email.ts';
import { SlackWebhookNotifier } from '../adapters/notify/slack-webhook.ts';
import { AlertPipeline } from '../core/alerts/pipeline.ts';
import type { Notifier } from '../ports.ts';
import { wiring } from '../wiring.ts';

let built: { base: unknown; store: DynamoAlertStore; pipeline: AlertPipeline } | undefined;

/** Notifiers configured by the environment; an unconfigured one is simply not routed to. */
export function notifiersFromEnv(env: NodeJS.ProcessEnv): Notifier[] {
  const notifiers: Notifier[] = [];
  if (env.FLEETOPS_SLACK_WEBHOOK_URL) notifiers.push(new SlackWebhookNotifier({ webhookUrl: env.FLEETOPS_SLACK_WEBHOOK_URL }));
  if (env.FLEETOPS_PAGERDUTY_ROUTING_KEY) {
    notifiers.push(new PagerDutyNotifier({ routingKey: env.FLEETOPS_PAGERDUTY_ROUTING_KEY, ...(env.FLEETOPS_PAGERDUTY_URL ? { baseUrl: env.FLEETOPS_PAGERDUTY_URL } : {}) }));
  }
  if (env.FLEETOPS_EMAIL_FROM && env.FLEETOPS_EMAIL_TO) {
    notifiers.push(
      new SesEmailNotifier({
        from: env.FLEETOPS_EMAIL_FROM,
        to: env.FLEETOPS_EMAIL_TO.split(',').map((s) => s.trim()),
        ...(env.FLEETOPS_SES_ENDPOINT ? { endpoint: env.FLEETOPS_SES_ENDPOINT } : {}),
      }),
    );
  }
  return notifiers;
}

function build() {
  const base = wiring();
  if (built?.base === base) return built;
  const store = new DynamoAlertStore({ client: base.documentClient, tableName: base.config.TABLE_NAME });
  const pipeline = new AlertPipeline({
    store,
    publisher: base.events,
    notifiers: notifiersFromEnv(process.env),
    clock: base.clock,
    config: process.env.FLEETOPS_PUBLIC_URL ? { linkBase: process.env.FLEETOPS_PUBLIC_URL } : {},
    // Bedrock rates importance when a model is configured; the rule score answers otherwise (and on any failure).
    ...(process.env.FLEETOPS_BEDROCK_MODEL_ID ? { scorer: new BedrockImportanceScorer({ modelId: process.env.FLEETOPS_BEDROCK_MODEL_ID, timeoutMs: 1500, cacheTtlSeconds: 3600 }) } : {}),
  });
  built = { base, store, pipeline };
  return built;
}

export const alertStore = (): DynamoAlertStore => build().store;
export const alertPipeline = (): AlertPipeline => build().pipeline;
