/** What an RCA can imply and healing can act on: the vocabulary the two share (RcaCompleted.issueType). */
export const ISSUE_TYPES = [
  'high_cpu',
  'high_memory',
  'pod_crash_loop',
  'high_error_rate',
  'bad_deploy',
  'high_latency',
  'image_pull',
  'config_error',
  'unschedulable',
  'node_not_ready',
] as const;
export type IssueType = (typeof ISSUE_TYPES)[number];
