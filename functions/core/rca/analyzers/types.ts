import type { Evidence } from '../evidence.ts';

export { ISSUE_TYPES, type IssueType } from '../../issue-types.ts';
import type { IssueType } from '../../issue-types.ts';

/**
 * One analyzer's conclusion. `kind`: a cause explains symptoms; a symptom is what users see; a
 * factor made it worse. `strength` (0..1) is how directly the evidence shows it.
 */
export interface Finding {
  analyzer: string;
  category: string;
  kind: 'cause' | 'symptom' | 'factor';
  /** The deployment / service the finding is about. */
  service: string;
  /** `deployment/<name>`, `node/<name>`, `service/<name>`. */
  resource: string;
  description: string;
  evidence: string[];
  strength: number;
  /** When it started, when the evidence tells (time precedence). */
  at?: string;
  issueType?: IssueType;
  remediation: string[];
  prevention: string[];
}

export type Analyzer = (evidence: Evidence) => Finding[];

export const MiB = 1024 * 1024;

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return 'unknown';
  if (bytes >= 1024 * MiB) return `${(bytes / 1024 / MiB).toFixed(1)}Gi`;
  return `${Math.round(bytes / MiB)}Mi`;
}

export function formatCores(cores: number | undefined): string {
  if (cores === undefined) return 'unknown';
  return cores >= 1 ? `${Number(cores.toFixed(2))}` : `${Math.round(cores * 1000)}m`;
}

export const unique = <T>(items: T[]): T[] => [...new Set(items)];

export function earliest(times: (string | undefined)[]): string | undefined {
  const valid = times.filter((t): t is string => !!t && Number.isFinite(Date.parse(t)));
  return valid.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}
