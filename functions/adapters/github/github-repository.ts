import { checkServerAddress, type AddressPolicyOptions } from '../../core/clusters/address-policy.ts';
import type { RepositoryInspector } from '../../core/catalog/ports.ts';
import type { RepositoryFacts } from '../../core/catalog/scorecard.ts';

export interface GitHubOptions {
  /** https://api.github.com, or a GitHub Enterprise `/api/v3` base (operator configuration). */
  baseUrl: string;
  /** A token, or where to read it (Secrets Manager, cached): it reaches only the Authorization header. */
  token?: string | (() => Promise<string | undefined>);
  /** A fetch that checks every resolved address (guardedFetch); redirects are refused here. */
  fetch: typeof fetch;
  /** The same policy: an IP-literal host is never resolved, so it is checked before connecting. */
  policy: AddressPolicyOptions;
  timeoutMs?: number;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const TEST_PATH = /(^|\/)(test|tests|__tests__|spec|src\/test)\/|\.(test|spec)\.[cm]?[jt]sx?$|_test\.go$|(^|\/)test_[^/]+\.py$|Test\.java$/;
const SCAN_NAME = /codeql|trivy|snyk|grype|security|scan/i;

class GitHubError extends Error {
  readonly status?: number;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/**
 * Scorecard repository checks through the GitHub REST API: one tree listing (docs, tests, Helm
 * chart) and the newest code-scanning analysis, or, where code scanning is off, the newest
 * successful security workflow run.
 */
export class GitHubRepositoryInspector implements RepositoryInspector {
  readonly #options: GitHubOptions;

  constructor(options: GitHubOptions) {
    this.#options = options;
  }

  async #get<T>(path: string): Promise<T> {
    const url = `${this.#options.baseUrl.replace(/\/+$/, '')}${path}`;
    let response: Response;
    try {
      const token = typeof this.#options.token === 'function' ? await this.#options.token() : this.#options.token;
      checkServerAddress(new URL(url).hostname, { ...this.#options.policy, field: 'GitHub API URL' });
      response = await this.#options.fetch(url, {
        redirect: 'error',
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5000),
        headers: {
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'fleetops',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      throw new GitHubError(/redirect/i.test(cause) ? 'answered with a redirect, which is never followed' : `unreachable (${String(cause).slice(0, 120)})`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new GitHubError(`${path.split('?')[0]} answered HTTP ${response.status}`, response.status);
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_BODY_BYTES) throw new GitHubError('answered with a body that is too large');
    const text = await response.text();
    if (text.length > MAX_BODY_BYTES) throw new GitHubError('answered with a body that is too large');
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new GitHubError('answered with a body that is not JSON');
    }
  }

  async #securityScan(base: string): Promise<RepositoryFacts['securityScan']> {
    try {
      const analyses = await this.#get<{ created_at?: string; tool?: { name?: string } }[]>(`${base}/code-scanning/analyses?per_page=1`);
      const newest = Array.isArray(analyses) ? analyses[0] : undefined;
      if (newest?.created_at && !Number.isNaN(Date.parse(newest.created_at)))
        return { at: new Date(newest.created_at).toISOString(), what: `${String(newest.tool?.name ?? 'code scanning').slice(0, 60)} analysis` };
    } catch (error) {
      // 403/404: code scanning is off or not visible to the token; the workflow runs may still show a scan.
      if (!(error instanceof GitHubError) || (error.status !== 403 && error.status !== 404)) throw error;
    }
    const runs = await this.#get<{ workflow_runs?: { name?: string; conclusion?: string; created_at?: string }[] }>(
      `${base}/actions/runs?status=success&per_page=50`,
    );
    const scan = (runs.workflow_runs ?? []).find(
      (r) => r.conclusion === 'success' && SCAN_NAME.test(r.name ?? '') && r.created_at && !Number.isNaN(Date.parse(r.created_at)),
    );
    return scan ? { at: new Date(scan.created_at!).toISOString(), what: `workflow run "${String(scan.name).slice(0, 60)}"` } : undefined;
  }

  async inspect(repository: { owner: string; repo: string }): Promise<RepositoryFacts> {
    const name = `${repository.owner}/${repository.repo}`;
    const base = `/repos/${encodeURIComponent(repository.owner)}/${encodeURIComponent(repository.repo)}`;
    try {
      const repo = await this.#get<{ default_branch?: string }>(base);
      const branch = typeof repo.default_branch === 'string' && repo.default_branch ? repo.default_branch : 'main';
      const tree = await this.#get<{ tree?: { path?: string; type?: string }[] }>(`${base}/git/trees/${encodeURIComponent(branch)}?recursive=1`);
      const paths = (tree.tree ?? []).map((e) => ({ path: String(e.path ?? ''), type: e.type }));
      const docs = paths.find((p) => (p.type === 'tree' && p.path === 'docs') || /^mkdocs\.ya?ml$/.test(p.path));
      const tests = paths.find((p) => TEST_PATH.test(p.type === 'tree' ? `${p.path}/` : p.path));
      const chart = paths.find((p) => p.type === 'blob' && /(^|\/)Chart\.yaml$/.test(p.path));
      const securityScan = await this.#securityScan(base);
      return {
        repository: name,
        ...(docs ? { docs: docs.type === 'tree' ? `${docs.path}/` : docs.path } : {}),
        ...(tests ? { tests: tests.type === 'tree' ? `${tests.path}/` : tests.path } : {}),
        ...(chart ? { helmChart: chart.path } : {}),
        ...(securityScan ? { securityScan } : {}),
      };
    } catch (error) {
      if (error instanceof GitHubError) return { repository: name, error: error.message };
      throw error;
    }
  }
}
