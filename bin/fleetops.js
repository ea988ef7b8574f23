#!/usr/bin/env node
// Node 22 strips TypeScript types natively; the CLI runs from source.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(`fleetops needs Node.js >= 22.19 (found ${process.versions.node}). See README: "Node 22".`);
  process.exit(1);
}
process.removeAllListeners('warning');
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
