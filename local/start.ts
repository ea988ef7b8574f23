import { preflight } from './preflight.ts';
import { stopOnSignals } from './shutdown.ts';

const problems = preflight();
if (problems.length) {
  for (const problem of problems) console.error(`fleetops: ${problem}`);
  process.exit(1);
}

const { startLocalCloud } = await import('./cloud.ts');
const log = (line: string) => console.error(`[fleetops] ${line}`);
const starting = startLocalCloud({ log });
// Installed before start-up finishes, so a Ctrl-C during start-up still stops DynamoDB Local's Java process.
stopOnSignals(async () => (await starting.catch(() => undefined))?.stop(), log);
const cloud = await starting.catch((error: unknown) => {
  console.error(`fleetops: could not start the local stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

console.log(`fleetops local stack ready in ${(cloud.startupMs / 1000).toFixed(1)} s`);
console.log(`  API:   ${cloud.url}   (GET ${cloud.url}/health, ${cloud.url}/openapi.json)`);
console.log(`  Token: ${cloud.apiToken}`);
console.log(`  Data:  ${cloud.dataDir}`);
console.log(`Try: curl -H "Authorization: Bearer ${cloud.apiToken}" ${cloud.url}/v1/clusters`);
if (cloud.oidc) {
  const { demoTokenLines } = await import('./oidc/issuer.ts');
  console.log(`\nSign in as a role instead of the bootstrap (admin) token:\n${(await demoTokenLines(cloud.oidc)).replace(/^/gm, '  ')}`);
}
