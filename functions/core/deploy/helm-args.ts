import { ValidationError } from '../errors.ts';
import type { ChartSpec } from './types.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Defence in depth: the request schema already enforced this, but argv is built here. */
export function assertDnsLabel(field: string, value: string, max = 63): void {
  if (value.length > max || !DNS_LABEL.test(value)) throw new ValidationError(`${field}: must be a DNS-1123 label`, undefined, 'INVALID_NAME');
}

export interface HelmFiles {
  kubeconfig: string;
  values: string;
}

/**
 * `helm upgrade --install`: every value we control goes in as a flag's argument, the user's
 * release and chart only after `--`, the values through a file. No --wait: fleetops watches the
 * rollout itself (and can tell a crash loop from slowness).
 */
export function upgradeArgs(input: { release: string; namespace: string; chart: ChartSpec; files: HelmFiles; timeoutSeconds: number }): string[] {
  assertDnsLabel('release', input.release, 53);
  assertDnsLabel('namespace', input.namespace);
  const args = [
    'upgrade',
    '--install',
    '--namespace',
    input.namespace,
    '--create-namespace',
    '--kubeconfig',
    input.files.kubeconfig,
    '--values',
    input.files.values,
    '--timeout',
    `${input.timeoutSeconds}s`,
    '--output',
    'json',
  ];
  let chartRef: string;
  if ('path' in input.chart) chartRef = input.chart.path;
  else if (input.chart.repoUrl.startsWith('oci://')) {
    chartRef = `${input.chart.repoUrl}/${input.chart.name}`;
    args.push('--version', input.chart.version);
  } else {
    chartRef = input.chart.name;
    args.push('--repo', input.chart.repoUrl, '--version', input.chart.version);
  }
  return [...args, '--', input.release, chartRef];
}

/** Back to `revision`; a release this deploy installed (no earlier revision) is uninstalled instead. */
export function rollbackArgs(input: { release: string; namespace: string; revision: number; kubeconfig: string; timeoutSeconds: number }): string[] {
  assertDnsLabel('release', input.release, 53);
  assertDnsLabel('namespace', input.namespace);
  const common = ['--namespace', input.namespace, '--kubeconfig', input.kubeconfig, '--timeout', `${input.timeoutSeconds}s`];
  if (input.revision <= 0) return ['uninstall', ...common, '--', input.release];
  return ['rollback', ...common, '--', input.release, String(input.revision)];
}

export function historyArgs(input: { release: string; namespace: string; kubeconfig: string }): string[] {
  assertDnsLabel('release', input.release, 53);
  assertDnsLabel('namespace', input.namespace);
  return ['history', '--namespace', input.namespace, '--kubeconfig', input.kubeconfig, '--max', '1', '--output', 'json', '--', input.release];
}
