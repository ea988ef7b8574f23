/** Test helpers: which metric names a PromQL expression reads (a light lexer, not a parser). */

/** Metrics served by the cluster simulator and kube-state-metrics / cAdvisor. */
export const KNOWN_METRICS = new Set([
  'container_cpu_usage_seconds_total',
  'container_memory_working_set_bytes',
  'http_requests_total',
  'http_request_duration_seconds_bucket',
  'kube_pod_status_ready',
  'kube_node_status_condition',
  'kube_deployment_status_replicas_available',
  'kube_deployment_spec_replicas',
  'kube_pod_container_status_restarts_total',
  'kube_pod_container_resource_limits',
]);

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

/** Identifiers in metric-name position: strings, label matchers, ranges, grouping clauses and function calls removed. */
export function metricNames(expr: string): string[] {
  let s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  s = s.replace(/\$\{?[A-Za-z_][A-Za-z0-9_:]*\}?/g, ' ');
  const names: string[] = [];
  const re = /[A-Za-z_:][A-Za-z0-9_:]*/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const word = m[0];
    const before = s[m.index - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue; // 5m, 1e3, 0.95
    const rest = s.slice(m.index + word.length);
    if (/^\s*\(/.test(rest)) continue; // function call
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.push(word);
  }
  return [...new Set(names)];
}
