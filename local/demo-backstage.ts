/**
 * `FLEETOPS_DEMO_BACKSTAGE=true npm run demo`: the Backstage dev app (plugins/fleetops/dev/server.ts, what
 * `npm run backstage` runs) beside the demo, on 127.0.0.1:${BACKSTAGE_PORT:-3001}. Off by default: bundling
 * the app takes a while.
 *
 * The stack must trust the dev app's users before it starts (approve, reject, diagnose, ack and
 * GET /v1/whoami go with the signed-in user's token), so {@link backstageStackOptions} adds the dev app's
 * issuer to FLEETOPS_OIDC_ISSUERS (after any the operator configured) and keeps the demo's local OIDC
 * issuer running as it would without the dev app.
 */
import { devIssuer, startDevServer } from '../plugins/fleetops/dev/server.ts';

const HOST = '127.0.0.1';

export const backstageEnabled = () => process.env.FLEETOPS_DEMO_BACKSTAGE?.trim().toLowerCase() === 'true';

function backstagePort(): number {
  const port = Number(process.env.BACKSTAGE_PORT ?? 3001);
  // The issuer's address is fixed before the app listens, so the port cannot be 0 (any).
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`BACKSTAGE_PORT must be a port number (1-65535), not ${process.env.BACKSTAGE_PORT}`);
  return port;
}

/** What startLocalCloud needs so that fleetops trusts the dev app's users. */
export function backstageStackOptions(): { env: { FLEETOPS_OIDC_ISSUERS: string }; localOidc?: boolean } {
  const operator = process.env.FLEETOPS_OIDC_ISSUERS?.trim();
  const issuers = [...(operator ? [JSON.parse(operator)].flat() : []), devIssuer(`http://${HOST}:${backstagePort()}`)];
  const flag = process.env.FLEETOPS_LOCAL_OIDC?.trim().toLowerCase();
  // As without the dev app: the local issuer runs unless turned off, or unless the operator brought issuers.
  const localOidc = flag === 'true' ? true : flag === 'false' || operator ? false : true;
  return { env: { FLEETOPS_OIDC_ISSUERS: JSON.stringify(issuers) }, localOidc };
}

/** Starts the dev app against the running stack (reads with the stack's token, actions with the user's). */
export async function startDemoBackstage(cloud: { url: string; apiToken: string }) {
  return startDevServer({ fleetopsUrl: cloud.url, serviceToken: cloud.apiToken, host: HOST, port: backstagePort() });
}
