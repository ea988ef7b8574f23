/**
 * What a cluster's `/version` may report. The API server is outside our control: its answer is shown
 * in responses and stored, so it must look like a Kubernetes version (semver with the distribution
 * suffixes real clusters use: `v1.29.3-eks-adc7111`, `v1.28.5+k3s1`) and stay short.
 */
const GIT_VERSION = /^v?\d{1,4}\.\d{1,4}\.\d{1,6}(?:[-+][0-9A-Za-z.+-]{1,48})?$/;
const PLATFORM = /^[a-z0-9_]{1,16}\/[a-z0-9_]{1,16}$/;

export function isPlausibleGitVersion(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && GIT_VERSION.test(value);
}

/** `linux/amd64`, or '' for anything else (it is informational only). */
export function plausiblePlatform(value: unknown): string {
  return typeof value === 'string' && PLATFORM.test(value) ? value : '';
}
