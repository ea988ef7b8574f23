import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoAlertStore } from '../adapters/aws/dynamodb/alert-store.ts';
import { BedrockEmbeddingSimilarity } from '../adapters/notify/bedrock-embeddings.ts';
import { BedrockImportanceScorer } from '../adapters/notify/bedrock-importance.ts';
import { PagerDutyNotifier } from '../adapters/notify/pagerduty.ts';
import { SesEmailNotifier } from '../adapters/notify/ses-email.ts';
import { SlackWebhookNotifier } from '../adapters/notify/slack-webhook.ts';
import { DEFAULT_GROUPING_CONFIG } from '../core/alerts/grouping.ts';
import { AlertPipeline, signalOnsetSecondsFor, flapSecondsFor, newKindAfterSecondsFor, upwardJoinSecondsFor } from '../core/alerts/pipeline.ts';
import type { Config } from '../config.ts';
import type { Notifier } from '../ports.ts';
import { wiring } from '../wiring.ts';
import { dependencyGraphStore, meshEvidenceStore } from './dependency-graphs.ts';
import { pullIntervalSeconds } from './pull-interval.ts';
import { serviceCatalog } from './catalog.ts';
import { CatalogRoutedNotifier } from '../core/catalog/routing.ts';
import { ownerContactForService } from '../core/catalog/owners.ts';

let built: { base: unknown; store: DynamoAlertStore; pipeline: AlertPipeline } | undefined;

/**
 * A notifier whose credential (webhook URL, routing key) lives in Secrets Manager: read on first
 * send and cached for five minutes by Powertools, so rotation needs no deploy.
 */
export class SecretBackedNotifier implements Notifier {
  readonly kind: string;
  private readonly secretId: string;
  private readonly build: (secret: string) => Notifier;
  private built?: { secret: string; notifier: Notifier };

  constructor(kind: string, secretId: string, build: (secret: string) => Notifier) {
    this.kind = kind;
    this.secretId = secretId;
    this.build = build;
  }

  async send(message: Parameters<Notifier['send']>[0]): Promise<void> {
    const secret = await getSecret(this.secretId, { maxAge: 300 });
    if (typeof secret !== 'string' || !secret) throw new Error(`${this.kind} notifier: its secret is empty`);
    if (this.built?.secret !== secret) this.built = { secret, notifier: this.build(secret) };
    await this.built.notifier.send(message);
  }
}

/** Notifiers configured in the environment (functions/config.ts); an unconfigured one is simply not routed to. */
export function notifiersFromConfig(config: Config): Notifier[] {
  const notifiers: Notifier[] = [];
  const slack = (webhookUrl: string) => new SlackWebhookNotifier({ webhookUrl });
  const pagerDuty = (routingKey: string) =>
    new PagerDutyNotifier({ routingKey, ...(config.FLEETOPS_PAGERDUTY_URL ? { baseUrl: config.FLEETOPS_PAGERDUTY_URL } : {}) });
  if (config.FLEETOPS_SLACK_WEBHOOK_URL) notifiers.push(slack(config.FLEETOPS_SLACK_WEBHOOK_URL));
  else if (config.FLEETOPS_SLACK_WEBHOOK_SECRET_ARN) notifiers.push(new SecretBackedNotifier('slack', config.FLEETOPS_SLACK_WEBHOOK_SECRET_ARN, slack));
  if (config.FLEETOPS_PAGERDUTY_ROUTING_KEY) notifiers.push(pagerDuty(config.FLEETOPS_PAGERDUTY_ROUTING_KEY));
  else if (config.FLEETOPS_PAGERDUTY_SECRET_ARN) notifiers.push(new SecretBackedNotifier('pagerduty', config.FLEETOPS_PAGERDUTY_SECRET_ARN, pagerDuty));
  if (config.FLEETOPS_EMAIL_FROM && config.FLEETOPS_EMAIL_TO) {
    notifiers.push(
      new SesEmailNotifier({
        from: config.FLEETOPS_EMAIL_FROM,
        to: config.FLEETOPS_EMAIL_TO.split(',').map((s) => s.trim()),
        ...(config.FLEETOPS_SES_ENDPOINT ? { endpoint: config.FLEETOPS_SES_ENDPOINT } : {}),
      }),
    );
  }
  // Owner routing from the catalog (issue 12): the owning team's Slack channel and PagerDuty service.
  const catalog = { snapshot: async () => serviceCatalog().snapshot() };
  return notifiers.map((notifier) => new CatalogRoutedNotifier(notifier, { catalog, pagerDutyFor: pagerDuty }));
}

function build() {
  const base = wiring();
  if (built?.base === base) return built;
  const store = new DynamoAlertStore({ client: base.documentClient, tableName: base.config.TABLE_NAME });
  const config = base.config;
  // Text-similarity grouping is opt-in; with an embedding model it defaults to 0.85 cosine.
  const similarityThreshold = config.similarityThreshold;
  const pipeline = new AlertPipeline({
    store,
    publisher: base.events,
    notifiers: notifiersFromConfig(config),
    clock: base.clock,
    config: {
      flapSeconds: flapSecondsFor(pullIntervalSeconds(config)),
      upwardJoinSeconds: upwardJoinSecondsFor(pullIntervalSeconds(config)),
      newKindAfterSeconds: newKindAfterSecondsFor(pullIntervalSeconds(config)),
      signalOnsetSeconds: signalOnsetSecondsFor(pullIntervalSeconds(config)),
      ...(config.FLEETOPS_PUBLIC_URL ? { linkBase: config.FLEETOPS_PUBLIC_URL } : {}),
      ...(similarityThreshold !== undefined ? { grouping: { ...DEFAULT_GROUPING_CONFIG, similarityThreshold } } : {}),
    },
    // Bedrock rates importance when a model is configured; the rule score answers otherwise (and on any failure).
    ...(config.FLEETOPS_BEDROCK_MODEL_ID
      ? { scorer: new BedrockImportanceScorer({ modelId: config.FLEETOPS_BEDROCK_MODEL_ID, timeoutMs: 1500, cacheTtlSeconds: 3600 }) }
      : {}),
    // Near-duplicate grouping by meaning (Titan embeddings) when configured; TF-IDF otherwise.
    ...(config.FLEETOPS_EMBEDDING_MODEL_ID ? { similarity: new BedrockEmbeddingSimilarity({ modelId: config.FLEETOPS_EMBEDDING_MODEL_ID }) } : {}),
    // Propagation-aware grouping: the cluster's call graph (mesh metrics and the catalog's dependsOn).
    graphs: { forCluster: (cluster) => dependencyGraphStore().get(cluster) },
    // Whether a caller's symptom comes from a failing callee: the per-edge mesh evidence the pull stores.
    evidence: { forCluster: (cluster) => meshEvidenceStore().get(cluster) },
    owners: { ownerOf: async (service, namespace) => ownerContactForService(await serviceCatalog().snapshot(), service, namespace)?.owner },
  });
  built = { base, store, pipeline };
  return built;
}

export const alertStore = (): DynamoAlertStore => build().store;
export const alertPipeline = (): AlertPipeline => build().pipeline;
