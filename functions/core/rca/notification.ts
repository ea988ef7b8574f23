/** An RCA report as a message in its incident's conversation: top causes with their evidence, then remediation. */
import type { NotificationMessage } from '../platform/ports.ts';
import type { RcaReport } from './report.ts';

export interface IncidentContext {
  id: string;
  cluster: string;
  namespace: string;
  service: string;
  severity: NotificationMessage['severity'];
}

export function rcaNotification(incident: IncidentContext, rca: { id: string; report: RcaReport }): NotificationMessage {
  const { report } = rca;
  const top = report.rootCauses[0];
  const causes = report.rootCauses
    .slice(0, 3)
    .map(
      (c, i) =>
        `${i + 1}. ${c.category} on ${c.resource} (${Math.round(c.confidence * 100)} %): ${c.description}\n   evidence: ${c.evidence.slice(0, 4).join(', ')}`,
    );
  const remediation = report.remediation.slice(0, 4).map((r) => `• ${r}`);
  const text = [
    report.summary,
    causes.length ? `Top causes:\n${causes.join('\n')}` : 'No root cause found in the evidence.',
    remediation.length ? `Remediation:\n${remediation.join('\n')}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    incidentId: incident.id,
    title: `RCA for ${incident.service} (${incident.cluster}/${incident.namespace}): ${top ? `${top.category} on ${top.resource}` : 'no root cause found'}`,
    text,
    severity: incident.severity,
    status: 'open',
    fields: {
      rca: rca.id,
      engine: report.engine,
      ...(report.issueType ? { issueType: report.issueType } : {}),
      ...(top ? { confidence: `${Math.round(top.confidence * 100)} %` } : {}),
    },
  };
}
