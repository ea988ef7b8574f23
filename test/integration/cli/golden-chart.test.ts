import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureHelmKubectl } from '../../../local/layers/helm-kubectl.ts';

const bin = join(import.meta.dirname, '../../../bin/fleetops.js');
const dir = mkdtempSync(join(tmpdir(), 'fleetops-golden-chart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fleetops golden-chart', () => {
  it('writes the golden chart, which passes the real helm lint --strict and renders a service named by values', () => {
    const run = spawnSync(process.execPath, [bin, 'golden-chart', join(dir, 'out')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const chart = run.stdout.trim();
    expect(chart).toBe(join(dir, 'out', 'fleetops-microservice'));
    expect(parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8'))).toMatchObject({ apiVersion: 'v2', name: 'fleetops-microservice', version: '0.1.0' });
    const helm = ensureHelmKubectl(join(dir, 'data')).helm;
    const home = join(dir, 'helm-home');
    const env = { PATH: process.env.PATH, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
    expect(execFileSync(helm, ['lint', '--strict', chart], { env, encoding: 'utf8' })).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    const rendered = execFileSync(helm, ['template', 'orders', chart, '--set', 'fullnameOverride=orders', '--set', 'nameOverride=orders'], {
      env,
      encoding: 'utf8',
    });
    expect(rendered).toMatch(/kind: Deployment\nmetadata:\n {2}name: orders\n/);
    expect(rendered).toMatch(/app.kubernetes.io\/name: orders/);
    expect(spawnSync(process.execPath, [bin, 'golden-chart'], { encoding: 'utf8' }).status).not.toBe(0);
  }, 120_000);
});
