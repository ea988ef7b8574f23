import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { findCluster } from '../core/clusters/find.ts';
import type { ClusterRecord } from '../core/clusters/cluster-record.ts';
import type { ClusterSummary, SlackActor, SlackCommandPorts, SlackPolicy } from '../core/slack/dispatch.ts';
import type { IncidentSummary } from '../core/slack/messages.ts';
import type { SlackFollowUps, SlackResponseUrls } from '../core/slack/ports.ts';
import type { IncidentRecord as Incident } from '../core/alerts/ports.ts';
import { AppError } from '../core/errors.ts';
import { parseSlackRoles, unverifiedDefaultRole } from '../core/slack/roles.ts';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { SlackDirectory } from '../adapters/slack/directory.ts';
import { admitManualRcaFor } from './rca-limits.ts';
import { forecastService } from './forecast.ts';
import { costService } from './cost.ts';
import { incidentQueries } from './incidents.ts';
import { DynamoSlackFollowUps } from '../adapters/aws/dynamodb/slack-followups.ts';
import { SlackResponder } from '../adapters/slack/response-url.ts';
import { newRcaId, startRca } from '../core/rca/start.ts';
import { manualDeployment } from '../core/deploy/manual-release.ts';
import { publicDeployment } from '../core/deploy/public-view.ts';
import { wiring } from '../wiring.ts';
import { logger } from '../observability.ts';
import { apiDeployer } from './deploy-api.ts';
import { deploymentStore } from './deployment-store.ts';
import { manualRcaAt, rcaStartPorts } from './rca.ts';
import { alertPipeline, alertStore } from './alerts.ts';
import { clusterStore } from './cluster-store.ts';
import { answerHealingApproval, openIncidents } from './healing-approvals.ts';
import { metricsStore } from './metrics-store.ts';

const summary = (c: ClusterRecord): ClusterSummary => ({
  id: c.id,
  name: c.name,
  environment: c.environment,
  status: c.status,
  ...(c.version ? { version: c.version } : {}),
});
const incidentSummary = (i: Incident & { types?: string[] }): IncidentSummary => ({ ...i, types: i.types ?? [i.type] }) as IncidentSummary;

/** Records who acted from Slack on the incident itself (set once: the first acknowledger). */
async function recordAcknowledger(incidentId: string, actor: SlackActor): Promise<void> {
  const base = wiring();
  await base.documentClient
    .send(
      new UpdateCommand({
        TableName: base.config.TABLE_NAME,
        Key: { pk: `INCIDENT#${incidentId}`, sk: 'META' },
        UpdateExpression: 'SET acknowledgedBy = if_not_exists(acknowledgedBy, :by)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: {
          ':by': { source: 'slack', userId: actor.userId, userName: actor.userName, ...(actor.identity ? { subject: actor.identity.subject } : {}) },
        },
      }),
    )
    .catch(() => undefined);
}

let built: { base: unknown; followUps: DynamoSlackFollowUps; responder: SlackResponder } | undefined;

/** Delayed answers: where they wait (DynamoDB, TTL 30 min) and who posts them (Slack hosts only). */
export function slackFollowUps(): { followUps: SlackFollowUps; responder: SlackResponseUrls } {
  const base = wiring();
  if (built?.base !== base) {
    built = {
      base,
      followUps: new DynamoSlackFollowUps(base.documentClient, base.config.TABLE_NAME),
      responder: new SlackResponder({ allowedHosts: base.config.FLEETOPS_SLACK_RESPONSE_HOSTS.split(',') }),
    };
  }
  return built;
}

let policyFor: { base: unknown; policy: SlackPolicy } | undefined;
let directoryFor: { base: unknown; directory: SlackDirectory | undefined } | undefined;

/**
 * What the payload does not say, from Slack's Web API when a bot token is configured: the user's
 * groups (for `userGroups` in FLEETOPS_SLACK_ROLES) and whether they are a guest or from another
 * workspace. Without a token, guest status is unknown: users not listed in FLEETOPS_SLACK_ROLES
 * (users, or userGroups) get at most viewer, whatever `defaultRole` says (core/slack/roles.ts).
 */
export async function slackRequester(actor: SlackActor): Promise<SlackActor> {
  const base = wiring();
  if (directoryFor?.base !== base) {
    const c = base.config;
    const configured = Boolean(c.FLEETOPS_SLACK_BOT_TOKEN || c.FLEETOPS_SLACK_BOT_TOKEN_SECRET_ARN);
    const token = async () => {
      if (c.FLEETOPS_SLACK_BOT_TOKEN) return c.FLEETOPS_SLACK_BOT_TOKEN;
      const value = c.FLEETOPS_SLACK_BOT_TOKEN_SECRET_ARN ? await getSecret(c.FLEETOPS_SLACK_BOT_TOKEN_SECRET_ARN, { maxAge: 300 }) : undefined;
      return typeof value === 'string' && value ? value : undefined;
    };
    directoryFor = {
      base,
      directory: configured ? new SlackDirectory({ token, groupIds: [...slackPolicy().userGroups.keys()], baseUrl: c.FLEETOPS_SLACK_API_URL }) : undefined,
    };
  }
  const directory = directoryFor.directory;
  if (!directory) {
    const why = unverifiedDefaultRole(slackPolicy(), actor);
    if (why) logger.info('slack user capped at viewer', { slackUser: actor.userId, reason: why });
    return actor;
  }
  const facts = await directory.describe(actor.userId);
  return {
    ...actor,
    groups: facts.groups,
    guestStatusVerified: true,
    ...(facts.restricted || actor.restricted ? { restricted: true } : {}),
    ...(!actor.userTeamId && facts.teamId ? { userTeamId: facts.teamId } : {}),
  };
}

/** FLEETOPS_SLACK_ROLES (+ the older FLEETOPS_SLACK_APPROVERS): who may act from Slack. */
export function slackPolicy(): SlackPolicy {
  const base = wiring();
  if (policyFor?.base !== base) policyFor = { base, policy: parseSlackRoles(base.config.FLEETOPS_SLACK_ROLES, base.config.FLEETOPS_SLACK_APPROVERS) };
  return policyFor.policy;
}

/** The product calls `/fleet` makes, over the same stores and pipeline as the HTTP API. */
export function slackPorts(): SlackCommandPorts {
  return {
    listClusters: async () => (await clusterStore().list()).map(summary),
    openIncidents: async (filter) =>
      (await incidentQueries().list({ status: 'active', ...(filter?.clusterId ? { cluster: filter.clusterId } : {}) })).map(incidentSummary),
    getIncident: async (id) => {
      const incident = await alertStore().incidents.get(id);
      return incident ? incidentSummary(incident) : undefined;
    },
    acknowledge: async (id, actor) => {
      if (!(await alertStore().incidents.get(id))) return undefined;
      const incident = await alertPipeline()
        .acknowledge(id)
        .catch(async () => alertStore().incidents.get(id));
      await recordAcknowledger(id, actor);
      return incident ? incidentSummary(incident) : undefined;
    },
    silence: async ({ service, cluster, namespace, durationSeconds, reason }, actor) => {
      const now = wiring().clock.now();
      const exact = (name: string, value: string) => ({ name, value, isRegex: false, isEqual: true });
      const silence = await alertStore().silences.create({
        // One service in one cluster and namespace: never fleet-wide.
        matchers: [exact('cluster', cluster), exact('namespace', namespace), exact('service', service)],
        startsAt: now.toISOString(),
        endsAt: new Date(now.getTime() + durationSeconds * 1000).toISOString(),
        createdBy: `${actor.identity?.subject ?? `slack:${actor.userId}`} (${actor.userName})`,
        comment: reason ?? '',
      });
      alertPipeline().invalidateSilences();
      return { id: silence.id, endsAt: silence.endsAt };
    },
    decideHealing: async (healingId, decision, actor) => {
      try {
        const record = await answerHealingApproval({
          id: healingId,
          decision,
          by: `${actor.identity?.subject ?? `slack:${actor.userId}`} (${actor.userName})`,
          ...(actor.identity ? { identity: actor.identity } : {}),
        });
        const { id, cluster, namespace, service, issueType, severity, action, status, reason } = record;
        return { id, cluster, namespace, service, issueType, severity, action, status, reason };
      } catch (error) {
        if (error instanceof AppError && (error.kind === 'not-found' || error.kind === 'conflict')) return { error: error.message };
        throw error;
      }
    },
    forecast: async ({ clusterId, service }) => {
      // The same use case as GET /v1/forecast: the answers cannot diverge.
      const result = await forecastService()
        .forecastFor({ cluster: clusterId, service, hours: 24 })
        .catch((error: unknown) => {
          if (error instanceof AppError && (error.kind === 'not-found' || error.code === 'INSUFFICIENT_DATA')) return undefined;
          throw error;
        });
      if (!result) return undefined;
      const advice = result.recommendations;
      return { peakCpu: advice.peak_cpu, avgCpu: advice.avg_cpu, recommendedReplicas: advice.recommended_replicas };
    },
    // The same use case as GET /v1/costs.
    costs: ({ target }) => costService().summary(target),
    startRca: async ({ clusterId, service, namespace }, actor, responseUrl) => {
      const base = wiring();
      const cluster = await findCluster(clusterStore(), clusterId);
      if (!cluster) throw new Error(`cluster ${clusterId} is not registered`);
      // The namespace the service was last scored in, else the cluster's first pulled namespace.
      const seen = namespace ?? (await metricsStore().listAnomalies({ clusterIds: [cluster.id], service, limit: 1 }))[0]?.namespace;
      const inScope = seen ?? (cluster.namespaces ?? base.config.pullNamespaces)[0] ?? 'default';
      // The same per-user and per-service limit as POST /v1/rca (RateLimitedError: answered in Slack).
      await admitManualRcaFor(
        { subject: actor.identity?.subject ?? `slack:${actor.teamId ?? 'unknown'}/${actor.userId}`, ...(actor.identity ? { role: actor.identity.role } : {}) },
        { cluster: cluster.name, namespace: inScope, service },
      );
      const rcaId = newRcaId();
      const { followUps, responder } = slackFollowUps();
      const now = base.clock.now();
      if (responseUrl && responder.isAllowed(responseUrl)) await followUps.add({ subject: `rca#${rcaId}`, responseUrl, userId: actor.userId }, now);
      const inNamespace = seen ?? (cluster.namespaces ?? base.config.pullNamespaces)[0] ?? 'default';
      await startRca(rcaStartPorts(), {
        rcaId,
        clusterId: cluster.id,
        cluster: cluster.name,
        namespace: inNamespace,
        service,
        // The open incident's severity (healing's floor); none: its healing only proposes.
        severity: (await openIncidents().openIncident({ cluster: cluster.name, namespace: inNamespace, service }))?.severity ?? 'medium',
        at: await manualRcaAt(cluster.name, inNamespace, service, now),
      });
      return { id: rcaId };
    },
    startDeploy: async ({ release, version, wave }, actor, { allowProd }, responseUrl) => {
      const now = wiring().clock.now();
      const planned = manualDeployment(
        // One deployment per person, release, version and wave per minute: a repeated command is the same deploy.
        {
          release,
          version,
          ...(wave ? { wave } : {}),
          requestedBy: `${actor.userId} (${actor.userName})`,
          requestKey: `${actor.userId}\n${now.toISOString().slice(0, 16)}`,
        },
        await deploymentStore().listTriggers(),
        await clusterStore().list(),
      );
      if ('error' in planned) return planned;
      if (planned.touchesProd && !allowProd)
        return { error: 'This deploy reaches prod clusters, and you are not on the fleetops approvers list. Deploy a non-prod wave, or ask an approver.' };
      const { id } = await apiDeployer().create(planned.deployment);
      const { followUps, responder } = slackFollowUps();
      if (responseUrl && responder.isAllowed(responseUrl)) await followUps.add({ subject: `deploy#${id}`, responseUrl, userId: actor.userId }, now);
      return publicDeployment(await apiDeployer().view(id));
    },
    clustersOfService: async (service) => {
      const clusters = await clusterStore().list();
      const records = await metricsStore().listAnomalies({ clusterIds: clusters.map((c) => c.id), service, limit: 200 });
      const ids = new Set(records.map((r) => r.clusterId));
      return clusters.filter((c) => ids.has(c.id)).map(summary);
    },
  };
}
