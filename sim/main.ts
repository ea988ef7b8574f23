// CLI: node sim/main.ts --clusters a,b --out DIR [--seed N]; prints one JSON line when ready, stops on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { startSimulator } from './index.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clusters: { type: 'string', default: 'dev,prod' },
      out: { type: 'string', default: '.fleetops/sim' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write('usage: node sim/main.ts --clusters a,b --out DIR [--seed N]\n');
    return;
  }
  const sim = await startSimulator({
    clusters: String(values.clusters).split(','),
    outDir: values.out,
    seed: values.seed !== undefined ? Number(values.seed) : undefined,
  });
  process.stdout.write(
    JSON.stringify({ clusters: sim.clusters.map((c) => ({ name: c.name, server: c.server, kubeconfig: c.kubeconfigPath, metricsUrl: c.metricsUrl })) }) + '\n',
  );
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // Keep the process alive (cluster timers are unref'd).
  setInterval(() => undefined, 1 << 30);
}

main().catch((e) => {
  process.stderr.write(`sim: ${(e as Error).message}\n`);
  process.exit(1);
});
