import { costText, type CostAnswer } from './cost-command.ts';
import { AppError } from '../errors.ts';
import { hasRole, type Identity, type Role } from '../identity/identity.ts';
import { HELP_TEXT, parseFleetCommand, type FleetCommand } from './command.ts';
import { safe } from './mrkdwn.ts';
import { outsider, slackIdentity, unverifiedDefaultRole, type SlackRequester, type SlackRoleMap } from './roles.ts';
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
export interface SlackActor extends SlackRequester {
  /** Set by the dispatcher before any port is called: the mapped identity (audits record its subject). */
  identity?: Identity;
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
  /** Always scoped to one cluster and namespace: a silence from Slack never mutes a service fleet-wide. */
  silence(
    input: { service: string; cluster: string; namespace: string; durationSeconds: number; reason?: string },
    actor: SlackActor,
  ): Promise<{ id: string; endsAt: string }>;
  /** Clusters on which a service has been seen (for ambiguity). */
  clustersOfService(service: string): Promise<ClusterSummary[]>;
  forecast?(input: { clusterId: string; service: string }): Promise<{ peakCpu: number; avgCpu: number; recommendedReplicas: number } | undefined>;
  /** The same use case as GET /v1/costs (30 days): the fleet, one service, or one team. */
  costs?(input: { target?: string }): Promise<CostAnswer>;
  startRca?(input: { clusterId: string; service: string; namespace?: string }, actor: SlackActor, responseUrl?: string): Promise<{ id: string }>;
  decideHealing?(healingId: string, decision: 'approve' | 'reject', actor: SlackActor): Promise<HealingSummary | { error: string }>;
  /** `allowProd`: whether this actor may deploy to clusters whose environment is prod. */
  startDeploy?(
    input: { release: string; version: string; wave?: string },
    actor: SlackActor,
    options: { allowProd: boolean },
    responseUrl?: string,
  ): Promise<DeployProgress | { error: string }>;
  getIncident(incidentId: string): Promise<IncidentSummary | undefined>;
}

/** Slack users → roles, for the configured workspace only (see roles.ts). */
export type SlackPolicy = SlackRoleMap;

/** The role each command needs: reading is open to every identity, acting is not. */
export const COMMAND_ROLES: Record<FleetCommand['kind'], Role> = {
  help: 'viewer',
  clusters: 'viewer',
  status: 'viewer',
  incidents: 'viewer',
  forecast: 'viewer',
  cost: 'viewer',
  ack: 'operator',
  silence: 'operator',
  diagnose: 'operator',
  deploy: 'operator',
  heal: 'approver',
};

const WHAT: Record<FleetCommand['kind'], string> = {
  help: 'read help',
  clusters: 'list clusters',
  status: 'read status',
  incidents: 'list incidents',
  forecast: 'read forecasts',
  cost: 'read costs',
  ack: 'acknowledge incidents',
  silence: 'silence alerts',
  diagnose: 'run root-cause analyses',
  deploy: 'deploy',
  heal: 'approve or reject healing',
};

export function canApprove(policy: SlackPolicy, actor: SlackActor): boolean {
  return hasRole(actor.identity ?? slackIdentity(policy, actor), 'approver');
}

const refuse = (policy: SlackPolicy, actor: SlackActor, what: string, needed: Role) => {
  const why = outsider(policy, actor) ?? unverifiedDefaultRole(policy, actor);
  const role = actor.identity?.role ?? 'viewer';
  return ephemeral(
    `<@${safe(actor.userId, 40)}>, you cannot ${what} from Slack: ${why ? safe(why, 200) : `that needs the fleetops ${needed} role, and yours is ${role}`}${needed === 'approver' && !why ? ' (you are not on the fleetops approvers list)' : ''}. Everyone may read.`,
  );
};

/**
 * Where a silence applies: the cluster and namespace given, else those of the service's one open
 * incident. Never the service alone: that would mute it on every cluster, prod included.
 */
async function silenceScope(
  ports: SlackCommandPorts,
  command: Extract<FleetCommand, { kind: 'silence' }>,
): Promise<{ cluster: string; namespace: string } | SlackReply> {
  if (command.cluster && command.namespace) return { cluster: command.cluster, namespace: command.namespace };
  const open = (await ports.openIncidents()).filter((i) => i.service === command.service && i.namespace);
  const scopes = [...new Map(open.map((i) => [`${i.cluster}/${i.namespace}`, { cluster: i.cluster, namespace: i.namespace! }])).values()];
  if (scopes.length === 1) return scopes[0]!;
  const example = (s: { cluster: string; namespace: string }) =>
    `• \`/fleet silence ${safe(s.cluster, 100)}/${safe(s.namespace, 100)}/${safe(command.service, 100)} <duration>\``;
  if (scopes.length === 0)
    return ephemeral(`No open incident for "${safe(command.service, 100)}" says where to silence it; name it as \`cluster/namespace/service\`.`);
  return ephemeral(
    `"${safe(command.service, 100)}" has open incidents in ${scopes.length} places; say which one:\n${scopes.slice(0, 10).map(example).join('\n')}`,
  );
}

/** Resolves a service to one cluster, or asks the user to choose. */
async function pickCluster(
  ports: SlackCommandPorts,
  service: string,
  cluster: string | undefined,
  verb: 'diagnose' | 'forecast',
): Promise<ClusterSummary | SlackReply> {
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

/** A limit reached (too many RCAs) is an answer to the user, not an error of the request. */
async function limited<T>(call: () => Promise<T>): Promise<T | SlackReply> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError && error.kind === 'rate-limited') return ephemeral(safe(error.message, 500));
    throw error;
  }
}

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

async function run(command: FleetCommand, requester: SlackActor, ports: SlackCommandPorts, policy: SlackPolicy, responseUrl?: string): Promise<SlackReply> {
  // Every command and button is checked against the role it needs, before any port is called.
  const actor: SlackActor = { ...requester, identity: slackIdentity(policy, requester) };
  const needed = COMMAND_ROLES[command.kind];
  if (!hasRole(actor.identity, needed)) return refuse(policy, actor, WHAT[command.kind], needed);
  switch (command.kind) {
    case 'help':
      return ephemeral(HELP_TEXT);
    case 'clusters': {
      const clusters = await ports.listClusters();
      if (clusters.length === 0) return ephemeral('No clusters registered yet.');
      return ephemeral(
        clusters
          .map((c) => `• *${safe(c.name, 100)}* (${safe(c.environment, 40)}) — ${safe(c.status, 30)}${c.version ? ` · ${safe(c.version, 40)}` : ''}`)
          .join('\n'),
      );
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
      return {
        ...incidentMessage(incident),
        text: `Acknowledged by ${safe(actor.userName, 80)}: ${safe(incident.service, 100)} on ${safe(incident.cluster, 100)}`,
      };
    }
    case 'silence': {
      const scope = await silenceScope(ports, command);
      if (isReply(scope)) return scope;
      const silence = await ports.silence(
        { service: command.service, ...scope, durationSeconds: command.durationSeconds, ...(command.reason ? { reason: command.reason } : {}) },
        actor,
      );
      return {
        response_type: 'in_channel',
        text: `${safe(actor.userName, 80)} silenced ${safe(command.service, 100)} on ${safe(scope.cluster, 100)}/${safe(scope.namespace, 100)} until ${safe(silence.endsAt, 40)}${command.reason ? `: ${safe(command.reason, 300)}` : ''} (silence \`${safe(silence.id, 128)}\`)`,
      };
    }
    case 'cost': {
      if (!ports.costs) return ephemeral('Costs are not available in this deployment.');
      return ephemeral(costText(await ports.costs(command.target ? { target: command.target } : {})));
    }
    case 'forecast': {
      if (!ports.forecast) return ephemeral('Forecasts are not available in this deployment.');
      const cluster = await pickCluster(ports, command.service, command.cluster, 'forecast');
      if (isReply(cluster)) return cluster;
      const result = await ports.forecast({ clusterId: cluster.id, service: command.service });
      if (!result) return ephemeral(`Not enough history for ${safe(command.service, 100)} on ${safe(cluster.name, 100)} yet.`);
      return ephemeral(
        `*${safe(command.service, 100)}* on ${safe(cluster.name, 100)}, next 24 h: peak cpu ${result.peakCpu.toFixed(1)} %, average ${result.avgCpu.toFixed(1)} %, recommended replicas ${result.recommendedReplicas}.`,
      );
    }
    case 'diagnose': {
      if (!ports.startRca) return ephemeral('Root-cause analysis is not available in this deployment.');
      const cluster = await pickCluster(ports, command.service, command.cluster, 'diagnose');
      if (isReply(cluster)) return cluster;
      const started = await limited(() => ports.startRca!({ clusterId: cluster.id, service: command.service }, actor, responseUrl));
      if (isReply(started)) return started;
      const { id } = started;
      return ephemeral(
        `Diagnosing *${safe(command.service, 100)}* on ${safe(cluster.name, 100)} (RCA \`${safe(id, 128)}\`). The report will be posted here when it is ready.`,
      );
    }
    case 'heal': {
      if (!ports.decideHealing) return ephemeral('Auto-healing is not available in this deployment.');
      const result = await ports.decideHealing(command.healingId, command.decision, actor);
      if ('error' in result) return ephemeral(safe(result.error, 1000));
      // The reply replaces the message whose button was pressed: the buttons go, who decided stays.
      return { ...healingRequestMessage(result, { userId: actor.userId, decision: command.decision }), replace_original: true };
    }
    case 'deploy': {
      if (!ports.startDeploy) return ephemeral('Deployments are not available in this deployment.');
      const result = await ports.startDeploy(command, actor, { allowProd: hasRole(actor.identity, 'approver') }, responseUrl);
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

export async function runSlackAction(
  action: SlackAction,
  requester: SlackActor,
  ports: SlackCommandPorts,
  policy: SlackPolicy,
  responseUrl?: string,
): Promise<SlackReply> {
  const actor: SlackActor = requester;
  switch (action.actionId) {
    case ACTIONS.ack:
      return run({ kind: 'ack', incidentId: action.value }, actor, ports, policy, responseUrl);
    case ACTIONS.approve:
    case ACTIONS.reject:
      return run(
        { kind: 'heal', decision: action.actionId === ACTIONS.approve ? 'approve' : 'reject', healingId: action.value },
        actor,
        ports,
        policy,
        responseUrl,
      );
    case ACTIONS.rca:
    case ACTIONS.silence: {
      const kind = action.actionId === ACTIONS.silence ? 'silence' : 'diagnose';
      const identity = slackIdentity(policy, actor);
      if (!hasRole(identity, COMMAND_ROLES[kind])) return refuse(policy, { ...actor, identity }, WHAT[kind], COMMAND_ROLES[kind]);
      const incident = await ports.getIncident(action.value);
      if (!incident) return ephemeral(`No incident \`${safe(action.value, 128)}\`.`);
      if (action.actionId === ACTIONS.silence) {
        // Scoped to the incident's own cluster and namespace: a staging incident never mutes prod.
        if (!incident.namespace)
          return ephemeral(`Incident \`${safe(incident.id, 128)}\` names no namespace; silence it with \`/fleet silence cluster/namespace/service 1h\`.`);
        return run(
          {
            kind: 'silence',
            service: incident.service,
            cluster: incident.cluster,
            namespace: incident.namespace,
            durationSeconds: 3600,
            reason: `from incident ${incident.id}`,
          },
          actor,
          ports,
          policy,
          responseUrl,
        );
      }
      if (!ports.startRca) return ephemeral('Root-cause analysis is not available in this deployment.');
      const started = await limited(() =>
        ports.startRca!(
          { clusterId: incident.cluster, service: incident.service, ...(incident.namespace ? { namespace: incident.namespace } : {}) },
          { ...actor, identity },
          responseUrl,
        ),
      );
      if (isReply(started)) return started;
      const { id } = started;
      return ephemeral(`Diagnosing *${safe(incident.service, 100)}* (RCA \`${safe(id, 128)}\`). The report will be posted here when it is ready.`);
    }
    default:
      return ephemeral('That button is no longer supported.');
  }
}
