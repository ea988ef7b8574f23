import { ACTIONS } from './actions.ts';
import { safe, truncateText } from './mrkdwn.ts';

/** Block Kit messages for `/fleet` answers and interactive buttons. Pure: data in, blocks out. */
export interface SlackReply {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  blocks?: unknown[];
  replace_original?: boolean;
}

const SEVERITY_ICON: Record<string, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':white_circle:',
};

export function ephemeral(text: string): SlackReply {
  return { response_type: 'ephemeral', text: truncateText(text, 3000) };
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: truncateText(text, 3000) } });
const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncateText(text, 3000) }] });
const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger') => ({
  type: 'button',
  text: { type: 'plain_text', text },
  action_id: actionId,
  value: value.slice(0, 2000),
  ...(style ? { style } : {}),
});

export interface IncidentSummary {
  id: string;
  cluster: string;
  namespace?: string;
  service: string;
  type: string;
  types?: string[];
  severity: string;
  status: string;
  alertCount: number;
  firstSeen: string;
  lastSeen: string;
  rcaId?: string;
}

export { ACTIONS };

export function incidentMessage(incident: IncidentSummary, options: { buttons?: boolean } = {}): SlackReply {
  const icon = incident.status === 'resolved' ? ':white_check_mark:' : (SEVERITY_ICON[incident.severity] ?? ':white_circle:');
  const title = `${icon} [${safe(incident.severity.toUpperCase(), 20)}] ${safe(incident.service, 100)} on ${safe(incident.cluster, 100)}`;
  const blocks: unknown[] = [
    section(`*${title}*\n${safe((incident.types ?? [incident.type]).join(', '), 300)}`),
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Status*\n${safe(incident.status, 40)}` },
        { type: 'mrkdwn', text: `*Alerts*\n${incident.alertCount}` },
        { type: 'mrkdwn', text: `*First seen*\n${safe(incident.firstSeen, 40)}` },
        { type: 'mrkdwn', text: `*Last seen*\n${safe(incident.lastSeen, 40)}` },
      ],
    },
    context(
      `incident \`${safe(incident.id, 128)}\`${incident.namespace ? ` · namespace ${safe(incident.namespace, 100)}` : ''}${incident.rcaId ? ` · RCA \`${safe(incident.rcaId, 128)}\`` : ''}`,
    ),
  ];
  if (options.buttons && incident.status !== 'resolved') {
    blocks.push({
      type: 'actions',
      elements: [
        button('Acknowledge', ACTIONS.ack, incident.id, 'primary'),
        button('Run RCA', ACTIONS.rca, incident.id),
        button('Silence 1h', ACTIONS.silence, incident.id),
      ],
    });
  }
  return { response_type: 'in_channel', text: `${title}`, blocks };
}

export function incidentListMessage(incidents: IncidentSummary[], heading: string): SlackReply {
  if (incidents.length === 0) return ephemeral(`${heading}: none open. :tada:`);
  const lines = incidents
    .slice(0, 20)
    .map(
      (i) =>
        `${SEVERITY_ICON[i.severity] ?? ''} \`${safe(i.id, 128)}\` *${safe(i.service, 100)}* on ${safe(i.cluster, 100)} · ${safe(i.type, 80)} · ${i.alertCount} alerts · since ${safe(i.firstSeen, 40)}`,
    );
  const more = incidents.length > 20 ? `\n…and ${incidents.length - 20} more` : '';
  return {
    response_type: 'ephemeral',
    text: `${heading}: ${incidents.length}`,
    blocks: [section(`*${safe(heading, 200)}* (${incidents.length})`), section(lines.join('\n') + more)],
  };
}

export interface RcaReportSummary {
  id: string;
  status: string;
  service?: string;
  cluster?: string;
  report?: {
    summary: string;
    rootCauses: { category: string; resource: string; description: string; evidence: unknown[]; confidence: number }[];
    remediation: unknown[];
    engine: string;
  };
}

export function rcaMessage(rca: RcaReportSummary): SlackReply {
  if (!rca.report) return ephemeral(`RCA \`${safe(rca.id, 128)}\` is ${safe(rca.status, 20).toLowerCase()}.`);
  const top = rca.report.rootCauses.slice(0, 3).map((c, i) => {
    const evidence = c.evidence
      .slice(0, 3)
      .map((e) => `    – ${safe(typeof e === 'string' ? e : JSON.stringify(e), 300)}`)
      .join('\n');
    return `${i + 1}. *${safe(c.category, 80)}* on \`${safe(c.resource, 200)}\` (${Math.round(c.confidence * 100)} %)\n${safe(c.description, 500)}${evidence ? `\n${evidence}` : ''}`;
  });
  const remediation = rca.report.remediation.slice(0, 5).map((r) => `• ${safe(typeof r === 'string' ? r : JSON.stringify(r), 300)}`);
  const blocks = [
    section(`*Root-cause analysis* \`${safe(rca.id, 128)}\`\n${safe(rca.report.summary, 1000)}`),
    section(`*Top causes*\n${top.join('\n') || 'none found'}`),
    ...(remediation.length ? [section(`*Remediation*\n${remediation.join('\n')}`)] : []),
    context(`engine: ${safe(rca.report.engine, 20)}`),
  ];
  return { response_type: 'in_channel', text: `RCA: ${safe(rca.report.summary, 200)}`, blocks };
}

export interface HealingSummary {
  id: string;
  cluster: string;
  namespace: string;
  service: string;
  issueType: string;
  severity: string;
  action: string;
  status: string;
  reason: string;
}

export function healingRequestMessage(healing: HealingSummary, decidedBy?: { userId: string; decision: 'approve' | 'reject' }): SlackReply {
  const blocks: unknown[] = [
    section(
      `*Healing* \`${safe(healing.id, 128)}\`: *${safe(healing.action, 100)}* on ${safe(healing.service, 100)} (${safe(healing.cluster, 100)}/${safe(healing.namespace, 100)})`,
    ),
    section(
      `*Issue* ${safe(healing.issueType, 60)} · *severity* ${safe(healing.severity, 20)} · *status* ${safe(healing.status, 30)}\n${safe(healing.reason, 1000)}`,
    ),
  ];
  if (decidedBy)
    blocks.push(context(`${decidedBy.decision === 'approve' ? ':white_check_mark: Approved' : ':no_entry: Rejected'} by <@${safe(decidedBy.userId, 40)}>`));
  else if (healing.status === 'PENDING_APPROVAL') {
    blocks.push({
      type: 'actions',
      elements: [button('Approve', ACTIONS.approve, healing.id, 'primary'), button('Reject', ACTIONS.reject, healing.id, 'danger')],
    });
  }
  const by = decidedBy ? ` (${decidedBy.decision === 'approve' ? 'approved' : 'rejected'} by <@${safe(decidedBy.userId, 40)}>)` : '';
  return {
    response_type: 'in_channel',
    text: `Healing ${safe(healing.action, 100)} on ${safe(healing.service, 100)}: ${safe(healing.status, 30)}${by}`,
    blocks,
  };
}

export interface DeployProgress {
  id: string;
  status: string;
  waves: { name: string; status: string; clusters: { clusterId: string; status: string; revision?: number }[] }[];
}

export function deployProgressMessage(deploy: DeployProgress, release?: string): SlackReply {
  const lines = deploy.waves.map((w) => {
    const clusters = w.clusters
      .map((c) => `${safe(c.clusterId, 100)}: ${safe(c.status, 30)}${c.revision !== undefined ? ` (rev ${c.revision})` : ''}`)
      .join(', ');
    return `• *${safe(w.name, 60)}* — ${safe(w.status, 30)}${clusters ? ` · ${clusters}` : ''}`;
  });
  return {
    response_type: 'in_channel',
    text: `Deploy ${release ? safe(release, 60) + ' ' : ''}${safe(deploy.id, 128)}: ${safe(deploy.status, 30)}`,
    blocks: [
      section(`*Deploy* ${release ? `*${safe(release, 60)}* ` : ''}\`${safe(deploy.id, 128)}\` — ${safe(deploy.status, 30)}`),
      section(lines.join('\n') || 'no waves'),
    ],
  };
}
