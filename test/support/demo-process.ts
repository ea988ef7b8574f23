/** `npm run demo` as a user starts it: a child process, its printed token and fault line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/dynamodb.ts';

const root = join(import.meta.dirname, '..', '..');

export interface RunningDemo {
  port: number;
  token: string;
  /** The printed fault line, taken apart: what a user copies. */
  faultLine: { token: string; ca: string; server: string; body: string };
  output(): string;
  get<T>(path: string): Promise<T>;
  stop(): void;
}

export async function startDemo(env: Record<string, string> = {}): Promise<RunningDemo> {
  const port = await freePort();
  let output = '';
  const demo: ChildProcess = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'local/demo.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      FLEETOPS_DATA_DIR: mkdtempSync(join(tmpdir(), 'fleetops-demo-')),
      FLEETOPS_PULL_INTERVAL_SECONDS: '10',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout!.on('data', (c) => (output += c));
  demo.stderr!.on('data', (c) => (output += c));
  const deadline = Date.now() + 300_000; // DynamoDB Local and two registrations on a busy machine
  while (!output.includes('Ctrl-C stops everything')) {
    if (Date.now() > deadline || demo.exitCode !== null) {
      demo.kill('SIGTERM');
      throw new Error(`demo did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const token = /Token:\s+(\S+)/.exec(output)![1];
  const post = /Bearer (\S+)" --cacert (\S+) .*\n\s+-X POST (https:\/\/[^/\s]+)\/sim\/v1\/faults -d '([^']+)'/.exec(output);
  if (!post) {
    demo.kill('SIGTERM');
    throw new Error(`the demo prints no fault line:\n${output}`);
  }
  return {
    port,
    token,
    faultLine: { token: post[1], ca: post[2], server: post[3], body: post[4] },
    output: () => output,
    async get<T>(path: string): Promise<T> {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return (await response.json()) as T;
    },
    stop: () => {
      if (demo.exitCode === null) demo.kill('SIGTERM');
    },
  };
}
