import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { goldenChartFiles } from '../functions/core/catalog/golden-path.ts';

/** Writes the golden chart under `parent` and returns its directory (what `fleetops golden-chart` and the local stack use). */
export function writeGoldenChart(parent: string): string {
  const dir = join(parent, 'fleetops-microservice');
  for (const [path, content] of Object.entries(goldenChartFiles())) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}
