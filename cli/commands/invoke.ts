import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { invokeHandler } from '../../local/handlers.ts';
import type { CliCommand } from '../command.ts';

/** Runs one handler module with an event file, as Lambda would; the environment configures its adapters. */
export const command: CliCommand = {
  name: 'invoke',
  summary: 'Invoke a handler locally with an event file',
  usage: 'fleetops invoke <handler> <event.json>   e.g. fleetops invoke health events/api/health.json',
  async run(argv) {
    const [handler, eventFile] = argv;
    if (!handler || !eventFile) throw new Error(`usage: ${this.usage}`);
    const event = JSON.parse(readFileSync(resolve(eventFile), 'utf8')) as unknown;
    process.env.FLEETOPS_RUNTIME ??= 'local';
    process.env.FLEETOPS_API_TOKEN ??= 'local-invoke-token-0000';
    const result = await invokeHandler(handler, event);
    console.log(JSON.stringify(result, null, 2));
    return 0;
  },
};
