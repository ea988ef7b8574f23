/**
 * Issue 19: chart repositories were checked once by host; helm then resolved again, followed
 * redirects and downloaded tarballs from any host index.yaml named. fleetops now downloads
 * index.yaml and the tarball itself through the address policy (connect-time checks, no
 * redirects, size caps, digest) and hands helm the local .tgz. A local repository server here.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartUrlFromIndex, downloadChart } from '../../../functions/adapters/helm/chart-download.ts';
import { guardedFetch } from '../../../functions/adapters/prometheus/guarded-fetch.ts';

const CHART_DIR = resolve(import.meta.dirname, '../../fixtures/charts');
let server: Server;
let base: string;
let tgz: Buffer;
let dir: string;
const routes: Record<string, { status: number; body?: string | Buffer; headers?: Record<string, string> }> = {};
const hits: string[] = [];

const policy = { allowLoopback: true };
const options = { policy, fetch: guardedFetch(policy) };
const index = (url: string, digest?: string) =>
  `apiVersion: v1\nentries:\n  hello:\n    - name: hello\n      version: 0.1.0\n      urls: ["${url}"]\n${digest ? `      digest: ${digest}\n` : ''}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleetops-chart-dl-'));
  execFileSync('tar', ['-czf', join(dir, 'src.tgz'), '-C', CHART_DIR, 'hello']);
  tgz = readFileSync(join(dir, 'src.tgz'));
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const route = routes[req.url ?? ''] ?? { status: 404, body: 'not found' };
    res.writeHead(route.status, route.headers ?? {});
    res.end(route.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('chart downloads', () => {
  it('reads index.yaml, downloads the tarball from the repository host and checks its digest', async () => {
    routes['/good/index.yaml'] = { status: 200, body: index('charts/hello-0.1.0.tgz', createHash('sha256').update(tgz).digest('hex')) };
    routes['/good/charts/hello-0.1.0.tgz'] = { status: 200, body: tgz };
    const path = await downloadChart({ repoUrl: `${base}/good`, name: 'hello', version: '0.1.0' }, dir, options);
    expect(readFileSync(path).equals(tgz)).toBe(true);
  });

  it('never follows a redirect, neither for index.yaml nor for the tarball', async () => {
    routes['/moved/index.yaml'] = { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } };
    await expect(downloadChart({ repoUrl: `${base}/moved`, name: 'hello', version: '0.1.0' }, dir, options)).rejects.toMatchObject({ code: 'CHART_REDIRECT' });
    routes['/tarmoved/index.yaml'] = { status: 200, body: index('x.tgz') };
    routes['/tarmoved/x.tgz'] = { status: 301, headers: { location: `${base}/good/charts/hello-0.1.0.tgz` } };
    await expect(downloadChart({ repoUrl: `${base}/tarmoved`, name: 'hello', version: '0.1.0' }, dir, options)).rejects.toMatchObject({
      code: 'CHART_REDIRECT',
    });
  });

  it('refuses tarball URLs the address policy refuses, and plain http to another host', async () => {
    routes['/meta/index.yaml'] = { status: 200, body: index('http://169.254.169.254/latest/meta-data/chart.tgz') };
    await expect(downloadChart({ repoUrl: `${base}/meta`, name: 'hello', version: '0.1.0' }, dir, options)).rejects.toMatchObject({ kind: 'invalid' });
    routes['/other/index.yaml'] = { status: 200, body: index('http://10.0.0.7/chart.tgz') };
    await expect(downloadChart({ repoUrl: `${base}/other`, name: 'hello', version: '0.1.0' }, dir, options)).rejects.toMatchObject({ code: 'UNSAFE_CHART' });
    // The repository itself: link-local refused before anything is fetched.
    const before = hits.length;
    await expect(downloadChart({ repoUrl: 'http://169.254.169.254/charts', name: 'hello', version: '0.1.0' }, dir, options)).rejects.toThrow();
    expect(hits.length).toBe(before);
  });

  it('caps sizes and checks the digest and the format', async () => {
    routes['/big/index.yaml'] = { status: 200, body: index('big.tgz') };
    routes['/big/big.tgz'] = { status: 200, body: Buffer.alloc(21 * 1024 * 1024, 1) };
    await expect(downloadChart({ repoUrl: `${base}/big`, name: 'hello', version: '0.1.0' }, dir, options)).rejects.toMatchObject({ code: 'CHART_TOO_LARGE' });
    routes['/tampered/index.yaml'] = { status: 200, body: index('t.tgz', 'a'.repeat(64)) };
    routes['/tampered/t.tgz'] = { status: 200, body: tgz };
    await expect(downloadChart({ repoUrl: `${base}/tampered`, name: 'hello', version: '0.1.0' }, dir, options)).rejects.toMatchObject({
      code: 'CHART_DIGEST_MISMATCH',
    });
    routes['/html/index.yaml'] = { status: 200, body: index('h.tgz') };
    routes['/html/h.tgz'] = { status: 200, body: '<html>login</html>' };
    await expect(downloadChart({ repoUrl: `${base}/html`, name: 'hello', version: '0.1.0' }, dir, options)).rejects.toMatchObject({ code: 'CHART_INVALID' });
    expect(() => chartUrlFromIndex(index('x.tgz'), `${base}/r`, 'hello', '9.9.9')).toThrow(/not in the repository/);
  });
});
