import { checkServerAddress, type AddressPolicyOptions } from '../clusters/address-policy.ts';
import { AppError, ValidationError } from '../errors.ts';
import type { ChartSpec } from './types.ts';

export interface ChartPolicy extends AddressPolicyOptions {
  /** Charts from a path on the function's filesystem (local stack and tests only). */
  allowLocalCharts: boolean;
}

const CODE = 'UNSAFE_CHART';

/**
 * Refuses chart references helm could misread or that reach where they must not: only absolute,
 * normalised local paths (when allowed), https repositories and oci registries without credentials,
 * queries or fragments, on hosts the address policy accepts. Nothing that starts with `-`.
 */
export function checkChart(chart: ChartSpec, policy: ChartPolicy): ChartSpec {
  if ('path' in chart) {
    if (!policy.allowLocalCharts) throw new ValidationError('chart.path: local charts are not available here; use repoUrl, name and version', undefined, CODE);
    const path = chart.path;
    if (!path.startsWith('/') || path.includes('\0') || path.split('/').some((s) => s === '..' || s === '.')) {
      throw new ValidationError('chart.path: must be an absolute, normalised path', undefined, CODE);
    }
    return { path };
  }
  let url: URL;
  try {
    url = new URL(chart.repoUrl);
  } catch {
    throw new ValidationError('chart.repoUrl: not a URL', undefined, CODE);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'oci:')
    throw new ValidationError('chart.repoUrl: must be https:// (chart repository) or oci:// (registry)', undefined, CODE);
  if (url.username || url.password) throw new ValidationError('chart.repoUrl: credentials in the URL are not accepted', undefined, CODE);
  if (url.search || url.hash) throw new ValidationError('chart.repoUrl: no query or fragment', undefined, CODE);
  if (/[\s\\]/.test(chart.repoUrl)) throw new ValidationError('chart.repoUrl: no whitespace or backslashes', undefined, CODE);
  try {
    checkServerAddress(url.hostname.replace(/^\[|\]$/g, ''), { ...policy, field: 'chart.repoUrl' });
  } catch (error) {
    if (error instanceof AppError) throw new ValidationError(error.message, undefined, CODE);
    throw error;
  }
  return { repoUrl: url.href.replace(/\/+$/, ''), name: chart.name, version: chart.version };
}

/** How the chart appears in history and logs. */
export function chartLabel(chart: ChartSpec): string {
  return 'path' in chart ? `path:${chart.path.split('/').pop()}` : `${chart.repoUrl}/${chart.name}@${chart.version}`;
}
