import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { command } from '../../../cli/commands/rank.ts';
import { caseFiles, makeRcaCase } from '../../unit/rca/synth.ts';

const bin = join(import.meta.dirname, '../../../bin/fleetops.js');
const dir = mkdtempSync(join(tmpdir(), 'fleetops-rank-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fleetops(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Runs command.run in-process and captures stdout. */
async function runInProcess(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    const code = await command.run(argv);
    return { code, stdout };
  } finally {
    spy.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

const c = makeRcaCase(4242, { topology: 'diamond', fault: 'availability' });
const files = caseFiles(c);
const graph = write('edges.json', files.graph);
const metrics = write('metrics.csv', files.metrics);

describe('fleetops rank', () => {
  it('prints the ranking as one JSON line, root cause first', () => {
    const r = fleetops('rank', '--graph', graph, '--metrics', metrics, '--split', String(c.split), '--target', c.target);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const ranking = JSON.parse(r.stdout) as { node: string; score: number }[];
    expect(ranking[0].node).toBe(c.root);
    // probabilities: the rest of the mass is "none of these / uncertain"
    expect(ranking[0].score).toBeGreaterThan(0.5);
    expect(ranking.reduce((sum, x) => sum + x.score, 0)).toBeLessThanOrEqual(1);
    for (const x of ranking) expect(Object.keys(x)).toEqual(['node', 'score']);
  });

  it('accepts --target-metric and --flag=value, same answer in-process', async () => {
    const r = fleetops('rank', `--graph=${graph}`, `--metrics=${metrics}`, `--split=${c.split}`, `--target=${c.target}`, '--target-metric', 'availability');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)[0].node).toBe(c.root);
    const inProc = await runInProcess([
      '--graph',
      graph,
      '--metrics',
      metrics,
      '--split',
      String(c.split),
      '--target',
      c.target,
      '--target-metric',
      'availability',
    ]);
    expect(inProc.code).toBe(0);
    expect(inProc.stdout).toBe(r.stdout);
  });

  it('prints [] when nothing looks abnormal', () => {
    const quiet = makeRcaCase(7, { fault: 'none' });
    const f = caseFiles(quiet);
    const r = fleetops(
      'rank',
      '--graph',
      write('q.json', f.graph),
      '--metrics',
      write('q.csv', f.metrics),
      '--split',
      String(quiet.split),
      '--target',
      quiet.target,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('[]\n');
  });

  it('reads CRLF, quotes, a BOM, extra columns, shuffled columns and NaN / empty values', () => {
    const lines = ['\uFEFFnode,"metric",timestamp,value,host'];
    for (let k = 0; k < 40; k++) {
      const ts = 1000 + k;
      const bad = k >= 30;
      lines.push(`web,latency.p99,${ts},${100 + (k % 5) + (bad ? 50 : 0)},h1`);
      lines.push(`"db",latency.p99,${ts},${k === 3 ? 'NaN' : k === 4 ? '' : 20 + (k % 3) + (bad ? 60 : 0)},h2`);
    }
    const p = write('crlf.csv', lines.join('\r\n') + '\r\n');
    const g = write('g.json', JSON.stringify([{ from: 'web', to: 'db' }]));
    const r = fleetops('rank', '--graph', g, '--metrics', p, '--split', '1030', '--target', 'web');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ node: 'db' });
  });

  it('warns (stderr) but still answers when a window is empty or the target metric is unknown', () => {
    let r = fleetops('rank', '--graph', graph, '--metrics', metrics, '--split', '1', '--target', c.target);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('[]\n');
    expect(r.stderr).toMatch(/no metrics rows before --split/);
    r = fleetops('rank', '--graph', graph, '--metrics', metrics, '--split', String(c.split), '--target', c.target, '--target-metric', 'nope');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/no metric "nope" for target/);
    expect(JSON.parse(r.stdout)[0].node).toBe(c.root);
  });

  it('fails with exit 2 and a clear message on bad input', () => {
    const cases: [string[], RegExp][] = [
      [['--graph', join(dir, 'missing.json'), '--metrics', metrics, '--split', '1', '--target', 'a'], /missing\.json: file not found/],
      [['--graph', graph, '--metrics', join(dir, 'missing.csv'), '--split', '1', '--target', 'a'], /missing\.csv: file not found/],
      [['--graph', write('bad.json', '[{"from":"a",'), '--metrics', metrics, '--split', '1', '--target', 'a'], /bad\.json: invalid JSON/],
      [['--graph', write('obj.json', '{"from":"a","to":"b"}'), '--metrics', metrics, '--split', '1', '--target', 'a'], /expected a JSON array/],
      [
        ['--graph', write('noto.json', '[{"from":"a","to":"b"},{"from":"b"}]'), '--metrics', metrics, '--split', '1', '--target', 'a'],
        /edge 1: "to" must be a non-empty string/,
      ],
      [['--graph', graph, '--metrics', write('hdr.csv', 'time,node,metric,value\n1,a,m,2\n'), '--split', '1', '--target', 'a'], /missing column "timestamp"/],
      [
        ['--graph', graph, '--metrics', write('ts.csv', 'timestamp,node,metric,value\n1,a,m,2\nyesterday,a,m,3\n'), '--split', '1', '--target', 'a'],
        /line 3, column "timestamp": not a number: "yesterday"/,
      ],
      [
        ['--graph', graph, '--metrics', write('val.csv', 'timestamp,node,metric,value\n1,a,m,2\n2,a,m,oops\n'), '--split', '1', '--target', 'a'],
        /line 3, column "value": not a number: "oops"/,
      ],
      [
        ['--graph', graph, '--metrics', write('fields.csv', 'timestamp,node,metric,value\n1,a,m\n'), '--split', '1', '--target', 'a'],
        /line 2: expected 4 fields/,
      ],
      [['--graph', graph, '--metrics', metrics, '--split', 'soon', '--target', 'a'], /--split must be a timestamp in epoch seconds/],
      [['--graph', graph, '--metrics', metrics, '--split', '1'], /--target is required/],
      [['--graph', graph, '--metrics', metrics, '--split', '1', '--target', 'a', '--bogus', '1'], /Unknown option --bogus/],
    ];
    for (const [args, message] of cases) {
      const r = fleetops('rank', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('command.run throws for the same errors (main turns them into exit 2)', async () => {
    await expect(command.run(['--graph', graph])).rejects.toThrow(/--metrics is required/);
    await expect(command.run(['--graph', graph, '--metrics', metrics, '--split', '1', '--target', 'a', '--target-metric', ''])).rejects.toThrow(
      /--target-metric/,
    );
  });

  it('--changes and --edge-metrics (events/rank): the callee failing only at its caller is raised, scores sum to at most 1', () => {
    const ev = join(import.meta.dirname, '../../../events/rank');
    const base = ['rank', '--graph', join(ev, 'edges.json'), '--metrics', join(ev, 'metrics.csv'), '--split', '1767226800', '--target', 'frontend'];
    const plain = fleetops(...base);
    expect(plain.status, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout)[0].node).toBe('order-service');
    const full = fleetops(...base, '--changes', join(ev, 'changes.json'), '--edge-metrics', join(ev, 'edge-metrics.csv'));
    expect(full.status, full.stderr).toBe(0);
    const ranking = JSON.parse(full.stdout) as { node: string; score: number }[];
    const before = (JSON.parse(plain.stdout) as { node: string; score: number }[]).find((r) => r.node === 'payment-service')?.score ?? 0;
    // the callers' view and the rollout make the silent callee a strong second (the shipped defaults keep the
    // caller's own failures; edgeExplain, off by CV, would put it first)
    expect(ranking.slice(0, 2).map((r) => r.node)).toContain('payment-service');
    expect(ranking.find((r) => r.node === 'payment-service')!.score).toBeGreaterThan(5 * before);
    expect(ranking.reduce((sum, r) => sum + r.score, 0)).toBeLessThanOrEqual(1);
  });

  it('rejects bad --changes and --edge-metrics with exit 2 and a clear message', () => {
    const base = ['rank', '--graph', graph, '--metrics', metrics, '--split', String(c.split), '--target', c.target];
    const cases: [string[], RegExp][] = [
      [['--changes', write('c1.json', '{"node":"a"}')], /expected a JSON array/],
      [['--changes', write('c2.json', '[{"node":"a","at":"yesterday","kind":"rollout"}]')], /change 0: "at" must be a number/],
      [['--changes', write('c3.json', '[{"node":"","at":1,"kind":"rollout"}]')], /"node" must be a non-empty string/],
      [['--changes', write('c4.json', '[{"node":"a","at":1}]')], /"kind" must be a non-empty string/],
      [['--edge-metrics', write('e1.csv', 'timestamp,from,metric,value\n1,a,errors,0\n')], /missing column "to"|"to"/],
      [['--edge-metrics', write('e2.csv', 'timestamp,from,to,metric,value\n1,a,b,errors,lots\n')], /not a number/],
      [['--edge-metrics', join(dir, 'nope.csv')], /file not found/],
    ];
    for (const [extra, message] of cases) {
      const r = fleetops(...base, ...extra);
      expect(r.status, extra.join(' ')).toBe(2);
      expect(r.stderr, extra.join(' ')).toMatch(message);
    }
  });
});
