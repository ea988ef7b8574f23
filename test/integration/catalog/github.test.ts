// Scorecard repository checks through the GitHub REST API adapter, against a local server speaking its shapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubRepositoryInspector } from '../../../functions/adapters/github/github-repository.ts';
import { guardedFetch } from '../../../functions/adapters/prometheus/guarded-fetch.ts';
import { startFakeGitHub } from '../../support/fake-github.ts';

let github: Awaited<ReturnType<typeof startFakeGitHub>>;
const recent = new Date(Date.now() - 2 * 86_400_000).toISOString();

beforeAll(async () => {
  github = await startFakeGitHub({
    'acme/user-service': {
      paths: [
        { path: 'docs', type: 'tree' },
        { path: 'docs/index.md', type: 'blob' },
        { path: 'src/users.test.ts', type: 'blob' },
        { path: 'charts/user-service/Chart.yaml', type: 'blob' },
      ],
      analyses: [{ created_at: recent, tool: { name: 'CodeQL' } }],
    },
    'acme/legacy': {
      defaultBranch: 'master',
      paths: [
        { path: 'README.md', type: 'blob' },
        { path: 'pkg/api_test.go', type: 'blob' },
      ],
      workflowRuns: [
        { name: 'build', conclusion: 'success', created_at: recent },
        { name: 'Trivy security scan', conclusion: 'success', created_at: '2026-01-01T00:00:00Z' },
      ],
    },
  });
});
afterAll(async () => github?.close());

const inspector = () =>
  new GitHubRepositoryInspector({
    baseUrl: github.url,
    token: 'ghp_test_token',
    fetch: guardedFetch({ allowLoopback: true }),
    policy: { allowLoopback: true },
  });

describe('GitHubRepositoryInspector', () => {
  it('finds docs, tests, a Helm chart and the newest code-scanning analysis, sending the token', async () => {
    const facts = await inspector().inspect({ owner: 'acme', repo: 'user-service' });
    expect(facts).toEqual({
      repository: 'acme/user-service',
      docs: 'docs/',
      tests: 'src/users.test.ts',
      helmChart: 'charts/user-service/Chart.yaml',
      securityScan: { at: recent, what: 'CodeQL analysis' },
    });
    expect(github.requests.every((r) => r.authorization === 'Bearer ghp_test_token')).toBe(true);
  });

  it('reads a token kept in a secret store at request time, and reports a store failure as a failed check', async () => {
    github.requests.length = 0;
    let reads = 0;
    const fromSecret = new GitHubRepositoryInspector({
      baseUrl: github.url,
      token: async () => (reads++, 'ghp_from_secret'),
      fetch: guardedFetch({ allowLoopback: true }),
      policy: { allowLoopback: true },
    });
    expect((await fromSecret.inspect({ owner: 'acme', repo: 'user-service' })).docs).toBe('docs/');
    expect(reads).toBeGreaterThan(0);
    expect(github.requests.length).toBeGreaterThan(0);
    expect(github.requests.every((r) => r.authorization === 'Bearer ghp_from_secret')).toBe(true);
    const broken = new GitHubRepositoryInspector({
      baseUrl: github.url,
      token: async () => Promise.reject(new Error('AccessDeniedException')),
      fetch: guardedFetch({ allowLoopback: true }),
      policy: { allowLoopback: true },
    });
    expect((await broken.inspect({ owner: 'acme', repo: 'user-service' })).error).toMatch(/AccessDenied/);
  });

  it('falls back to security workflow runs when code scanning is off, on the default branch', async () => {
    const facts = await inspector().inspect({ owner: 'acme', repo: 'legacy' });
    expect(facts).toEqual({
      repository: 'acme/legacy',
      tests: 'pkg/api_test.go',
      securityScan: { at: '2026-01-01T00:00:00.000Z', what: 'workflow run "Trivy security scan"' },
    });
    expect(github.requests.some((r) => r.path === '/repos/acme/legacy/git/trees/master?recursive=1')).toBe(true);
  });

  it('reports a missing repository as a failed check, not an error', async () => {
    expect(await inspector().inspect({ owner: 'acme', repo: 'ghost' })).toEqual({ repository: 'acme/ghost', error: '/repos/acme/ghost answered HTTP 404' });
  });

  it('refuses addresses the policy forbids at connect time', async () => {
    const strict = new GitHubRepositoryInspector({ baseUrl: github.url, fetch: guardedFetch({ allowLoopback: false }), policy: { allowLoopback: false } });
    expect((await strict.inspect({ owner: 'acme', repo: 'user-service' })).error).toMatch(/loopback/);
  });
});
