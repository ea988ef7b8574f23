import { createServer, type Server } from 'node:http';

export interface FakeRepo {
  defaultBranch?: string;
  paths: { path: string; type: 'blob' | 'tree' }[];
  /** Code-scanning analyses, newest first; `undefined`: code scanning is off (404). */
  analyses?: { created_at: string; tool: { name: string } }[];
  workflowRuns?: { name: string; conclusion: string; created_at: string }[];
}

/**
 * A local server speaking the GitHub REST API shapes the scorecard reads: repository, recursive
 * git tree, code-scanning analyses, workflow runs. Records every request (path, headers).
 */
export async function startFakeGitHub(
  repos: Record<string, FakeRepo>,
): Promise<{ url: string; requests: { path: string; authorization?: string }[]; close(): Promise<void> }> {
  const requests: { path: string; authorization?: string }[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: url.pathname + url.search, authorization: req.headers.authorization });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const repo = match ? repos[`${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`] : undefined;
    if (!match || !repo) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const rest = match[3] ?? '';
    const branch = repo.defaultBranch ?? 'main';
    if (rest === '') return send(200, { id: 1, name: match[2], full_name: `${match[1]}/${match[2]}`, default_branch: branch, private: false });
    if (rest === `/git/trees/${branch}` && url.searchParams.get('recursive') === '1') {
      return send(200, {
        sha: 'abc',
        url: '',
        truncated: false,
        tree: repo.paths.map((p) => ({ path: p.path, mode: p.type === 'tree' ? '040000' : '100644', type: p.type, sha: 'x' })),
      });
    }
    if (rest === '/code-scanning/analyses') {
      return repo.analyses ? send(200, repo.analyses.slice(0, Number(url.searchParams.get('per_page') ?? 30))) : send(404, { message: 'no analysis found' });
    }
    if (rest === '/actions/runs') return send(200, { total_count: repo.workflowRuns?.length ?? 0, workflow_runs: repo.workflowRuns ?? [] });
    return send(404, { message: 'Not Found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
