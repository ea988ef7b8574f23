import { HELP_TEXT, parseFleetCommand, type FleetCommand } from './command.ts';
import { safe } from './mrkdwn.ts';
import {
  ACTIONS,
  deployProgressMessage,
  ephemeral,
  healingRequestMessage,
  incidentListMessage,
  incidentMessage,
  type DeployProgress,
  type HealingSummary,
  type IncidentSummary,
  type SlackReply,
} from './messages.ts';

/** Who sent a command or pressed a button: recorded with every action taken on their behalf. */
export interface SlackActor {
  userId: string;
  userName: string;
  teamId?: string;
  channelId?: string;
}

export interface ClusterSummary {
  id: string;
  name: string;
  environment: string;
  status: string;
  version?: string;
}

/**
 * What `/fleet` needs from the product. Each is the same core call the HTTP API makes;
 * optional ones are features that may not be deployed, and the command says so.
 */
export interface SlackCommandPorts {
  listClusters(): Promise<ClusterSummary[]>;
  openIncidents(filter?: { clusterId?: string }): Promise<IncidentSummary[]>;
  acknowledge(incidentId: string, actor: SlackActor): Promise<IncidentSummary | undefined>;
  silence(input: { service: string; durationSeconds: number; reason?: string }, actor: SlackActor): Promise<{ id: string; endsAt: string }>;
  /** Clusters on which a service has been seen (for ambiguity). */
  clustersOfService(service: string): Promise<ClusterSummary[]>;
  forecast?(input: { clusterId: string; service: string }): Promise<{ peakCpu: number; avgCpu: number; recommendedReplicas: number } | undefined>;
  startRca?(input: { clusterId: string; service: string; namespace?: string }, actor: SlackActor, responseUrl?: string): Promise<{ id: string }>;
  decideHealing?(healingId: string, decision: 'approve' | 'reject', actor: SlackActor): Promise<HealingSummary | { error: string }>;
  /** `allowProd`: whether this actor may deploy to clusters whose environment is prod. */
  startDeploy?(input: { release: string; version: string; wave?: string }, actor: SlackActor, options: { allowProd: boolean }, responseUrl?: string): Promise<DeployProgress | { error: string }>;
  getIncident(incidentId: string): Promise<IncidentSummary | undefined>;
}

export interface SlackPolicy {
  /** Slack user ids allowed to approve healing and deploy to prod. Empty: nobody may. */
  approvers: ReadonlySet<string>;
}

export function canApprove(policy: SlackPolicy, actor: SlackActor): boolean {
  return policy.approvers.has(actor.userId);
}

const refuse = (actor: SlackActor, what: string) =>
  ephemeral(`<@${safe(actor.userId, 40)}>, you are not on the fleetops approvers list, so you cannot ${what}. Everyone may read.`);

/** Resolves a service to one cluster, or asks the user to choose. */
async function pickCluster(ports: SlackCommandPorts, service: string, cluster: string | undefined, verb: 'diagnose' | 'forecast'): Promise<ClusterSummary | SlackReply> {
  if (cluster) {
    const match = (await ports.listClusters()).find((c) => c.name === cluster || c.id === cluster);
    return match ?? ephemeral(`No cluster named "${safe(cluster, 100)}". Try \`/fleet clusters\`.`);
  }
  const candidates = await ports.clustersOfService(service);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) return ephemeral(`No cluster reports a service named "${safe(service, 100)}".`);
  return ephemeral(
    `"${safe(service, 100)}" runs on ${candidates.length} clusters; say which one:\n` +
      candidates.map((c) => `• \`/fleet ${verb} ${safe(service, 100)} ${safe(c.name, 100)}\` (${safe(c.environment, 40)})`).join('\n'),
  );
}

const isReply = (v: unknown): v is SlackReply => typeof v === 'object' && v !== null && 'response_type' in v;

export async function runFleetCommand(
  text: string,
  actor: SlackActor,
  ports: SlackCommandPorts,
  policy: SlackPolicy,
  responseUrl?: string,
): Promise<SlackReply> {
  const parsed = parseFleetCommand(text);
  if (!parsed.ok) return ephemeral(parsed.usage);
  return run(parsed.command, actor, ports, policy, responseUrl);
}

async function run(command: FleetCommand, actor: SlackActor, ports: SlackCommandPorts, policy: SlackPolicy, responseUrl?: string): Promise<SlackReply> {
  switch (command.kind) {
    case 'help':
      return ephemeral(HELP_TEXT);
    case 'clusters': {
      const clusters = await ports.listClusters();
      if (clusters.length === 0) return ephemeral('No clusters registered yet.');
      return ephemeral(clusters.map((c) => `• *${safe(c.name, 100)}* (${safe(c.environment, 40)}) — ${safe(c.status, 30)}${c.version ? ` · ${safe(c.version, 40)}` : ''}`).join('\n'));
    }
    case 'status': {
      const clusters = await ports.listClusters();
      const scope = command.cluster ? clusters.filter((c) => c.name === command.cluster || c.id === command.cluster) : clusters;
      if (command.cluster && scope.length === 0) return ephemeral(`No cluster named "${safe(command.cluster, 100)}". Try \`/fleet clusters\`.`);
      const incidents = await ports.openIncidents(scope.length === 1 ? { clusterId: scope[0]!.id } : undefined);
      const lines = scope.map((c) => {
        const open = incidents.filter((i) => i.cluster === c.name || i.cluster === c.id);
        const worst = open.find((i) => i.severity === 'critical') ?? open.find((i) => i.severity === 'high') ?? open[0];
        return `• *${safe(c.name, 100)}* (${safe(c.environment, 40)}) — ${safe(c.status, 30)} · ${open.length} open incident${open.length === 1 ? '' : 's'}${worst ? `, worst ${safe(worst.severity, 20)}: ${safe(worst.service, 100)}` : ''}`;
      });
      return ephemeral(lines.join('\n') || 'No clusters registered yet.');
    }
    case 'incidents':
      return incidentListMessage(await ports.openIncidents(), 'Open incidents');
    case 'ack': {
      const incident = await ports.acknowledge(command.incidentId, actor);
      if (!incident) return ephemeral(`No incident \`${safe(command.incidentId, 128)}\`.`);
      return { ...incidentMessage(incident), text: `Acknowledged by ${safe(actor.userName, 80)}: ${safe(incident.service, 100)} on ${safe(incident.cluster, 100)}` };
    }
    case 'silence': {
      const silence = await ports.silence(command, actor);
      return { response_type: 'in_channel', text: `${safe(actor.userName, 80)} silenced ${safe(command.service, 100)} until ${safe(silence.endsAt, 40)}${command.reason ? `: ${safe(command.reason, 300)}` : ''} (silence \`${safe(silence.id, 128)}\`)` };
    }
    case 'forecast': {
      if (!ports.forecast) return ephemeral('Forecasts are not available in this deployment.');
      const cluster = await pickCluster(ports, command.service, command.cluster, 'forecast');
      if (isReply(cluster)) return cluster;
      const result = await ports.forecast({ clusterId: cluster.id, service: command.service });
      if (!result) return ephemeral(`Not enough history for ${safe(command.service, 100)} on ${safe(cluster.name, 100)} yet.`);
      return ephemeral(`*${safe(command.service, 100)}* on ${safe(cluster.name, 100)}, next 24 h: peak cpu ${result.peakCpu.toFixed(1)} %, average ${result.avgCpu.toFixed(1)} %, recommended replicas ${result.recommendedReplicas}.`);
    }
    case 'diagnose': {
      if (!ports.startRca) return ephemeral('Root-cause analysis is not available in this deployment.');
      const cluster = await pickCluster(ports, command.service, command.cluster, 'diagnose');
      if (isReply(cluster)) return cluster;
      const { id } = await ports.startRca({ clusterId: cluster.id, service: command.service }, actor, responseUrl);
      return ephemeral(`Diagnosing *${safe(command.service, 100)}* on ${safe(cluster.name, 100)} (RCA \`${safe(id, 128)}\`). The report will be posted here when it is ready.`);
    }
    case 'heal': {
      if (!ports.decideHealing) return ephemeral('Auto-healing is not available in this deployment.');
      if (!canApprove(policy, actor)) return refuse(actor, `${command.decision} healing`);
      const result = await ports.decideHealing(command.healingId, command.decision, actor);
      if ('error' in result) return ephemeral(safe(result.error, 1000));
      // The reply replaces the message whose button was pressed: the buttons go, who decided stays.
      return { ...healingRequestMessage(result, { userId: actor.userId, decision: command.decision }), replace_original: true };
    }
    case 'deploy': {
      if (!ports.startDeploy) return ephemeral('Deployments are not available in this deployment.');
      const result = await ports.startDeploy(command, actor, { allowProd: canApprove(policy, actor) }, responseUrl);
      if ('error' in result) return ephemeral(safe(result.error, 1000));
      return deployProgressMessage(result, command.release);
    }
  }
}

/** One button press from `POST /v1/slack/interactions` (`block_actions`). */
export interface SlackAction {
  actionId: string;
  value: string;
}

export async function runSlackAction(action: SlackAction, actor: SlackActor, ports: SlackCommandPorts, policy: SlackPolicy, responseUrl?: string): Promise<SlackReply> {
  switch (action.actionId) {
    case ACTIONS.ack:
      return run({ kind: 'ack', incidentId: action.value }, actor, ports, policy, responseUrl);
    case ACTIONS.approve:
    case ACTIONS.reject:
      return run({ kind: 'heal', decision: action.actionId === ACTIONS.approve ? 'approve' : 'reject', healingId: action.value }, actor, ports, policy, responseUrl);
    case ACTIONS.rca:
    case ACTIONS.silence: {
      const incident = await ports.getIncident(action.value);
      if (!incident) return ephemeral(`No incident \`${safe(action.value, 128)}\`.`);
      if (action.actionId === ACTIONS.silence) {
        return run({ kind: 'silence', service: incident.service, durationSeconds: 3600, reason: `from incident ${incident.id}` }, actor, ports, policy, responseUrl);
      }
      if (!ports.startRca) return ephemeral('Root-cause analysis is not available in this deployment.');
      const { id } = await ports.startRca({ clusterId: incident.cluster, service: incident.service, ...(incident.namespace ? { namespace: incident.namespace } : {}) }, actor, responseUrl);
      return ephemeral(`Diagnosing *${safe(incident.service, 100)}* (RCA \`${safe(id, 128)}\`). The report will be posted here when it is ready.`);
    }
    default:
      return ephemeral('That button is no longer supported.');
  }
}
