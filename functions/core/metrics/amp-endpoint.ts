/**
 * Amazon Managed Prometheus endpoints: the only hosts fleetops signs requests for with the Lambda
 * role (SigV4). A loose pattern such as `.amazonaws.com` at the end of the string is bypassed by
 * `https://evil.example#.amazonaws.com` or `?.amazonaws.com`, so the URL is parsed and its host
 * must be exactly `aps-workspaces.<region>.amazonaws.com`.
 */
const AMP_HOST = /^aps-workspaces\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com$/;

export type AmpEndpoint = { ok: true; region: string } | { ok: false; reason: string };

export function parseAmpEndpoint(url: string): AmpEndpoint {
  // Query and fragment are refused even when empty: nothing after the path belongs in a base URL.
  if (url.includes('?') || url.includes('#')) return { ok: false, reason: 'an Amazon Managed Prometheus URL has no query or fragment' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  if (parsed.protocol !== 'https:') return { ok: false, reason: 'SigV4 needs https' };
  if (parsed.username || parsed.password) return { ok: false, reason: 'an Amazon Managed Prometheus URL has no user info' };
  if (parsed.port && parsed.port !== '443') return { ok: false, reason: 'an Amazon Managed Prometheus URL uses the default port' };
  const region = AMP_HOST.exec(parsed.hostname)?.[1];
  if (!region) return { ok: false, reason: 'SigV4 is only for Amazon Managed Prometheus: the host must be aps-workspaces.<region>.amazonaws.com' };
  return { ok: true, region };
}

/** The signing region of an AMP URL; a configured region must agree with the host's. */
export function ampSigningRegion(url: string, configuredRegion?: string): AmpEndpoint {
  const endpoint = parseAmpEndpoint(url);
  if (endpoint.ok && configuredRegion !== undefined && configuredRegion !== endpoint.region) {
    return { ok: false, reason: `region ${configuredRegion} does not match the workspace host (${endpoint.region})` };
  }
  return endpoint;
}
