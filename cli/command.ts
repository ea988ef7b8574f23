/** One `fleetops <name>` subcommand. `run` returns the process exit code. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** Parses `--flag value` and `--flag=value` pairs; `--help` → { help: 'true' }. */
export function parseFlags(argv: string[], known: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument: ${arg}`);
    const [rawName, inlineValue] = arg.slice(2).split(/=(.*)/s, 2);
    if (rawName === 'help') {
      flags.help = 'true';
      continue;
    }
    if (!known.includes(rawName)) throw new Error(`Unknown option --${rawName}`);
    const value = inlineValue ?? argv[++i];
    if (value === undefined) throw new Error(`Option --${rawName} needs a value`);
    flags[rawName] = value;
  }
  return flags;
}
