// The golden-path skeleton builds: for every language and framework, the files the Dockerfile copies exist, the
// manifests parse, the chart passes helm lint --strict, and the code compiles or runs wherever the toolchain is here
// (every Node option: its own `npm ci && npm test` from the registry, then the built service is served; Python flask:
// pytest; every Python file compiles; Go: gofmt when Go is installed; Java: pom.xml is well-formed XML).
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync as readFileSyncRaw, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS, MicroserviceParams, microserviceSkeleton, type Language } from '../../../functions/core/catalog/golden-path.ts';
import { ensureHelmKubectl } from '../../../local/layers/helm-kubectl.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const run = (file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
    execFile(file, args, { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: unknown }).code) || 1 : 0, stdout, stderr }),
    ),
  );
const which = async (bin: string) => (await run('sh', ['-c', `command -v ${bin}`], REPO)).stdout.trim() || undefined;

let base: string;
let helm: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'golden-build-'));
  helm = ensureHelmKubectl(join(base, 'layer')).helm;
}, 120_000);
afterAll(() => rmSync(base, { recursive: true, force: true }));

function write(language: Language, framework: string): string {
  const p = MicroserviceParams.parse({
    name: `svc-${framework}`.replace(/[^a-z0-9-]/g, ''),
    owner: 'team-a',
    description: 'A "quoted" $(service)',
    language,
    framework,
    database: 'postgresql',
  });
  const dir = join(base, `${language}-${framework}`);
  for (const e of microserviceSkeleton(p)) {
    const file = join(dir, e.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, e.content ?? '');
  }
  return join(dir, p.name);
}

function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f), `${prefix}${f}/`) : [`${prefix}${f}`]));
}

/** Every COPY from the build context names something the skeleton has (globs may match nothing only beside a match). */
function checkDockerfile(root: string): string[] {
  const text = readFileSync(join(root, 'Dockerfile'));
  const problems: string[] = [];
  const all = files(root);
  const known = /^(FROM|RUN|CMD|LABEL|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)\s/;
  let stages = 0;
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    if (!known.test(line)) problems.push(`not an instruction: ${line}`);
    if (line.startsWith('FROM ')) stages++;
    if (line.startsWith('USER ') && /\b(root|0)(:|$)/.test(line.slice(5))) problems.push('runs as root');
    const m = /^COPY\s+(.*)$/.exec(line);
    if (!m || /--from=/.test(m[1])) continue;
    const parts = m[1].split(/\s+/).filter((x) => !x.startsWith('--'));
    const sources = parts.slice(0, -1);
    const matched = sources.map((s) => {
      if (s === '.') return true;
      const re = new RegExp(`^${s.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}(/|$)`);
      return all.some((f) => re.test(f));
    });
    if (!matched.some(Boolean) || sources.some((s, i) => !matched[i] && !s.includes('*'))) problems.push(`COPY source missing: ${line}`);
  }
  if (!/^USER /m.test(text)) problems.push('no USER');
  if (stages < 1) problems.push('no FROM');
  return problems;
}

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });

async function serveAndProbe(cwd: string, entry: string): Promise<{ health: unknown; metrics: string }> {
  const port = await freePort();
  const child = execFile(process.execPath, [entry], { cwd, env: { ...process.env, PORT: String(port) } });
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return { health, metrics };
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
}

function readFileSync(p: string): string {
  return readFileSyncRaw(p, 'utf8');
}

const CASES = (Object.entries(FRAMEWORKS) as [Language, readonly string[]][]).flatMap(([language, fws]) =>
  fws.map((framework) => [language, framework] as const),
);

describe.each(CASES)('golden path %s/%s', (language, framework) => {
  let root: string;
  beforeAll(() => {
    root = write(language, framework);
  });

  it('Dockerfile copies only what exists, runs as non-root; manifests parse', () => {
    expect(checkDockerfile(root)).toEqual([]);
    if (language === 'typescript' || language === 'javascript') {
      const pkg = JSON.parse(readFileSync(join(root, 'package.json')));
      expect(pkg.scripts.test).toMatch(/node --test /);
      const lock = JSON.parse(readFileSync(join(root, 'package-lock.json')));
      expect(lock).toMatchObject({ name: pkg.name, lockfileVersion: 3, packages: { '': { dependencies: pkg.dependencies } } });
      expect(Object.keys(lock.packages)).toEqual(expect.arrayContaining(Object.keys(pkg.dependencies).map((d) => `node_modules/${d}`)));
      expect(existsSync(join(root, language === 'typescript' ? 'test/health.test.ts' : 'test/health.test.js'))).toBe(true);
      if (language === 'typescript') {
        expect(pkg.scripts.build).toBeTruthy();
        expect(existsSync(join(root, 'src/main.ts'))).toBe(true);
        JSON.parse(readFileSync(join(root, 'tsconfig.json')));
      } else expect(existsSync(join(root, 'src/main.js'))).toBe(true);
    }
    expect(readFileSync(join(root, 'catalog-info.yaml'))).toContain('kind: Component');
  });

  it('chart passes helm lint --strict and renders', async () => {
    const chart = join(root, 'charts', readdirSync(join(root, 'charts'))[0]);
    const env = { ...process.env, HELM_CACHE_HOME: join(base, 'hc'), HELM_CONFIG_HOME: join(base, 'hcfg'), HELM_DATA_HOME: join(base, 'hd') };
    const lint = await run(helm, ['lint', '--strict', chart], root, env);
    expect(lint.stderr + lint.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    const rendered = await run(helm, ['template', 'r1', chart], root, env);
    expect(rendered.code).toBe(0);
    expect(rendered.stdout).toContain('kind: Deployment');
  });

  it('the code compiles (or runs) with what this machine has', async () => {
    if (language === 'typescript') {
      const source = readFileSync(join(root, 'src/main.ts'));
      const out = ts.transpileModule(source, { reportDiagnostics: true, compilerOptions: { experimentalDecorators: true, module: ts.ModuleKind.CommonJS } });
      expect(out.diagnostics ?? []).toEqual([]);
    } else if (language === 'javascript') {
      expect((await run(process.execPath, ['--check', 'src/main.js'], root)).code).toBe(0);
    } else if (language === 'python') {
      const py = await run('python3', ['-m', 'py_compile', 'app/main.py', 'tests/test_health.py'], root);
      expect(py.stderr).toBe('');
      const hasFlask = (await run('python3', ['-c', 'import flask, pytest'], root)).code === 0;
      if (framework === 'flask' && hasFlask) {
        const t = await run('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], root, { ...process.env, PYTHONDONTWRITEBYTECODE: '1' });
        expect(t.stdout).toMatch(/1 passed/);
      }
    } else if (language === 'go') {
      const gofmt = await which('gofmt');
      if (gofmt) expect((await run(gofmt, ['-l', '.'], root)).stdout).toBe('');
      expect(readFileSync(join(root, 'go.mod'))).toMatch(/^module svc-/);
    } else {
      const xml = await run('python3', ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])', 'pom.xml'], root);
      expect(xml.stderr).toBe('');
      expect(readFileSync(join(root, 'src/main/java/com/example/service/Application.java'))).toMatch(/"\/?healthz"/);
    }
  }, 60_000);

  // Node options only: the other languages are built with their own toolchains above (not a skip: nothing to run).
  if (language === 'typescript' || language === 'javascript')
    it('its own `npm ci && npm test` passes (a health check that fails fails it), and the built service serves /healthz', async () => {
      // npm's own settings only: none inherited from the npx that started vitest.
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
      const npm = (args: string[]) => run('npm', [...args, '--no-audit', '--no-fund', '--update-notifier=false'], root, env);
      let started = performance.now();
      const ci = await npm(['ci']);
      const ciSeconds = (performance.now() - started) / 1000;
      expect(ci.code, ci.stderr).toBe(0);
      started = performance.now();
      const test = await npm(['test']);
      const testSeconds = (performance.now() - started) / 1000;
      expect(test.code, test.stdout + test.stderr).toBe(0);
      expect(test.stdout).toMatch(/^# pass 3$/m);
      expect(test.stdout).toMatch(/^# fail 0$/m);
      console.log(`golden path ${language}/${framework}: npm ci ${ciSeconds.toFixed(1)} s, npm test ${testSeconds.toFixed(1)} s`);
      expect(ciSeconds).toBeLessThan(60);

      if (framework === 'express') {
        // The test asserts the status code: a /healthz answering 503 (with the same body) fails `npm test`.
        const appFile = join(root, language === 'typescript' ? 'src/app.ts' : 'src/app.js');
        const healthy = readFileSync(appFile);
        const broken = healthy.replace("res.json({ status: 'ok' });", "res.status(503).json({ status: 'ok' });");
        expect(broken).not.toBe(healthy);
        writeFileSync(appFile, broken);
        const failing = await npm(['test']);
        writeFileSync(appFile, healthy);
        expect(failing.code).not.toBe(0);
        expect(failing.stdout).toMatch(/^# fail 1$/m);
      }

      if (language === 'typescript') expect((await npm(['run', 'build'])).code).toBe(0);
      const served = await serveAndProbe(root, language === 'typescript' ? 'dist/main.js' : 'src/main.js');
      expect(served.health).toEqual({ status: 'ok' });
      expect(served.metrics).toMatch(new RegExp(`^http_requests_total\\{service="svc-${framework}"\\} \\d+$`, 'm'));
    }, 180_000);
});
