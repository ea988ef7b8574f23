import type { CliCommand } from '../command.ts';

/** Subcommands are loaded lazily so `fleetops detect` does not pay for the AWS SDK. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  detect: {
    summary: 'Univariate streaming anomaly scoring of a timestamp,value CSV',
    load: async () => (await import('./detect.ts')).command,
  },
  iforest: {
    summary: 'Fit an Isolation Forest on one CSV and score another',
    load: async () => (await import('./iforest.ts')).command,
  },
  rank: {
    summary: 'Offline root-cause ranking over a call graph and metrics',
    load: async () => (await import('./rank.ts')).command,
  },
  'golden-chart': {
    summary: 'Write the golden-path microservice chart to a directory, to publish it',
    load: async () => (await import('./golden-chart.ts')).command,
  },
  invoke: {
    summary: 'Invoke a handler locally with an event file',
    load: async () => (await import('./invoke.ts')).command,
  },
};
