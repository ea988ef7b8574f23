// Renders a self-contained kubeconfig (inline CA data, bearer token; no file paths, no exec).
import { stringify } from 'yaml';

export function renderKubeconfig(opts: { name: string; server: string; caPem: string; token: string }): string {
  const caData = Buffer.from(opts.caPem).toString('base64');
  const user = `${opts.name}-admin`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: opts.name, cluster: { server: opts.server, 'certificate-authority-data': caData } }],
    users: [{ name: user, user: { token: opts.token } }],
    contexts: [{ name: opts.name, context: { cluster: opts.name, user, namespace: 'default' } }],
    'current-context': opts.name,
    preferences: {},
  });
}
