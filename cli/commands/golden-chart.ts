import { resolve } from 'node:path';
import { writeGoldenChart } from '../../local/golden-chart.ts';
import type { CliCommand } from '../command.ts';

/** Writes the golden chart that golden-path deploys use, for the platform team to publish (helm package, helm push). */
export const command: CliCommand = {
  name: 'golden-chart',
  summary: 'Write the golden-path microservice chart to a directory, to publish it',
  usage: 'fleetops golden-chart <dir>   then: helm package <dir>/fleetops-microservice && helm push …; set FLEETOPS_GOLDEN_CHART_REPO_URL and _VERSION',
  async run(argv) {
    const [dir] = argv;
    if (!dir || dir.startsWith('-')) throw new Error(`usage: ${this.usage}`);
    console.log(writeGoldenChart(resolve(dir)));
    return 0;
  },
};
