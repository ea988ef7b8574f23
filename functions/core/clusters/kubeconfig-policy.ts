/**
 * Registration policy for user-supplied kubeconfigs. Works on the raw YAML, before any kubeconfig
 * library sees it: @kubernetes/client-node runs `exec`/`auth-provider` commands, reads
 * `token-file` and certificate paths, and follows `proxy-url`/`insecure-skip-tls-verify`.
 * The output is the only thing handed on: one https server, its inline CA, and inline credentials.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { Lexer, Parser, parseAllDocuments, isAlias, isMap, isScalar, isSeq, visit } from 'yaml';
import type { Node as YamlNode, YAMLMap, YAMLSeq } from 'yaml';
import { ValidationError } from '../errors.ts';
import { checkServerAddress } from './address-policy.ts';

export type SafeKubeconfigUser = { token: string } | { certData: string; keyData: string };

export interface SafeKubeconfig {
  /** https URL without userinfo, query, fragment or trailing slash. */
  server: string;
  /** Base64 of the PEM CA bundle. */
  caData: string;
  contextName: string;
  clusterName: string;
  user: SafeKubeconfigUser;
}

export interface KubeconfigPolicyOptions {
  /** Context to use; else `current-context`; else the only context. */
  context?: string;
  allowLoopback: boolean;
  /** Operator allowlist for the server host (see address-policy). */
  allowlist?: string[];
}

export const MAX_KUBECONFIG_BYTES = 64 * 1024;
/** Parser stack depth (document + collections + pairs); real kubeconfigs stay under ~12. */
export const MAX_NESTING_DEPTH = 48;

const UNSAFE = 'UNSAFE_KUBECONFIG';
const INVALID = 'INVALID_KUBECONFIG';

function unsafe(field: string, reason: string): never {
  throw new ValidationError(`${field}: ${reason}`, { field }, UNSAFE);
}
function invalid(field: string, reason: string): never {
  throw new ValidationError(`${field}: ${reason}`, { field }, INVALID);
}

/** `users[0].user.exec`, or `users[0].user["exec "]` for keys that would read ambiguously. */
function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const safe = /^[A-Za-z0-9_-]+$/.test(key);
  const k = safe ? key : JSON.stringify(key);
  if (!path) return safe ? k : `[${k}]`;
  return safe ? `${path}.${k}` : `${path}[${k}]`;
}

// Keys that make a client run commands, read files, skip verification, go through a proxy or
// act as someone else. Named explicitly so the message says why; anything else unknown is refused too.
const FORBIDDEN_USER_KEYS: Record<string, string> = {
  exec: 'exec credential plugins run commands',
  'auth-provider': 'auth providers run commands and refresh tokens',
  'token-file': 'file paths are not allowed (use token)',
  tokenFile: 'file paths are not allowed (use token)',
  'client-certificate': 'file paths are not allowed (use client-certificate-data)',
  'client-key': 'file paths are not allowed (use client-key-data)',
  as: 'impersonation is not allowed',
  'as-uid': 'impersonation is not allowed',
  'as-groups': 'impersonation is not allowed',
  'as-user-extra': 'impersonation is not allowed',
  username: 'basic authentication is not allowed',
  password: 'basic authentication is not allowed',
};
const ALLOWED_USER_KEYS = new Set(['token', 'client-certificate-data', 'client-key-data']);

const FORBIDDEN_CLUSTER_KEYS: Record<string, string> = {
  'insecure-skip-tls-verify': 'TLS verification cannot be turned off',
  'certificate-authority': 'file paths are not allowed (use certificate-authority-data)',
  'proxy-url': 'proxies are not allowed',
  'tls-server-name': 'overriding the TLS server name is not allowed',
};
const ALLOWED_CLUSTER_KEYS = new Set(['server', 'certificate-authority-data', 'extensions']);
const ALLOWED_CONTEXT_KEYS = new Set(['cluster', 'user', 'namespace', 'extensions']);
const ALLOWED_ROOT_KEYS = new Set(['apiVersion', 'kind', 'clusters', 'contexts', 'users', 'current-context', 'preferences', 'extensions']);

/** A mapping's entries by exact string key; non-string or non-plain keys are refused. */
function entries(node: YamlNode | null | undefined, path: string, what: string): Map<string, YamlNode | null> {
  if (!isMap(node)) invalid(path || '(root)', `${what} must be a mapping`);
  const out = new Map<string, YamlNode | null>();
  for (const pair of (node as YAMLMap<unknown, unknown>).items) {
    const key = pair.key;
    if (!isScalar(key) || typeof key.value !== 'string') {
      // Never stringify a collection key: nested ones grow exponentially when printed.
      const shown = isScalar(key) ? JSON.stringify(String(key.value)).slice(0, 80) : isMap(key) ? 'a mapping' : 'a sequence or other node';
      unsafe(path || '(root)', `non-string key ${shown} is not allowed`);
    }
    out.set(key.value as string, (pair.value ?? null) as YamlNode | null);
  }
  return out;
}

function checkKeys(map: Map<string, unknown>, path: string, allowed: Set<string>, forbidden: Record<string, string> = {}): void {
  for (const key of map.keys()) {
    if (Object.hasOwn(forbidden, key)) unsafe(child(path, key), forbidden[key]);
  }
  for (const key of map.keys()) {
    if (!allowed.has(key)) unsafe(child(path, key), 'unknown key is not allowed');
  }
}

function str(node: YamlNode | null | undefined, path: string): string {
  if (!isScalar(node) || typeof node.value !== 'string') invalid(path, 'must be a string');
  return node.value as string;
}

function seq(node: YamlNode | null | undefined, path: string): YAMLSeq<unknown> {
  if (!isSeq(node)) invalid(path, 'must be a list');
  return node as YAMLSeq<unknown>;
}

/** Finds the single entry named `name` in a named list (clusters/users/contexts). */
function findNamed(list: YAMLSeq<unknown>, listPath: string, name: string, itemKey: string): { index: number; body: YamlNode | null } {
  let found: { index: number; body: YamlNode | null } | undefined;
  list.items.forEach((item, index) => {
    if (!isMap(item)) return;
    const nameNode = item.get('name', true);
    if (!isScalar(nameNode) || nameNode.value !== name) return;
    if (found) unsafe(child(child(listPath, index), 'name'), `duplicate ${itemKey} name ${JSON.stringify(name)}`);
    const path = child(listPath, index);
    const e = entries(item as YamlNode, path, 'entry');
    checkKeys(e, path, new Set(['name', itemKey]));
    found = { index, body: e.get(itemKey) ?? null };
  });
  if (!found) invalid(listPath, `no ${itemKey} named ${JSON.stringify(name)}`);
  return found as { index: number; body: YamlNode | null };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeBase64(value: string, path: string): string {
  const compact = value.replace(/\s+/g, '');
  if (!compact || compact.length % 4 !== 0 || !BASE64.test(compact)) invalid(path, 'must be base64');
  return Buffer.from(compact, 'base64').toString('utf8');
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1-----/g;

function pemBlocks(pem: string): Array<{ label: string; text: string }> {
  return [...pem.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1], text: m[0] }));
}

function checkCertificates(value: string, path: string): string {
  const pem = decodeBase64(value, path);
  const blocks = pemBlocks(pem);
  if (!blocks.length || blocks.some((b) => b.label !== 'CERTIFICATE')) invalid(path, 'must be a base64 PEM certificate');
  for (const b of blocks) {
    try {
      new X509Certificate(b.text);
    } catch {
      invalid(path, 'contains an unreadable certificate');
    }
  }
  return value.replace(/\s+/g, '');
}

function checkPrivateKey(value: string, path: string): string {
  const pem = decodeBase64(value, path);
  const blocks = pemBlocks(pem);
  if (blocks.length !== 1 || !/PRIVATE KEY$/.test(blocks[0].label)) invalid(path, 'must be a base64 PEM private key');
  try {
    createPrivateKey(blocks[0].text);
  } catch {
    invalid(path, 'is not a readable private key (encrypted keys are not supported)');
  }
  return value.replace(/\s+/g, '');
}

function checkServer(raw: string, path: string, options: KubeconfigPolicyOptions): string {
  if (/[\s\\]/.test(raw) || /[^\x21-\x7e]/.test(raw)) unsafe(path, 'must be a plain https URL');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== 'https') unsafe(path, `only https servers are allowed (got ${scheme ? scheme + ':' : 'no scheme'})`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    invalid(path, 'is not a valid URL');
  }
  if (url.username || url.password || /^https:\/\/[^/?#]*@/i.test(raw)) unsafe(path, 'credentials in the URL are not allowed');
  if (url.search || url.hash || raw.includes('?') || raw.includes('#')) unsafe(path, 'query strings and fragments are not allowed');
  // The authority as written must already be canonical: otherwise parsers disagree on the host.
  const rawAuthority = /^https:\/\/([^/?#]*)/i.exec(raw)?.[1] ?? '';
  const rawHost = rawAuthority.startsWith('[') ? rawAuthority.slice(0, rawAuthority.indexOf(']') + 1) : rawAuthority.replace(/:\d*$/, '');
  checkServerAddress(rawHost, { allowLoopback: options.allowLoopback, allowlist: options.allowlist, field: path });
  if (rawHost.toLowerCase().replace(/\.$/, '') !== url.hostname.replace(/\.$/, '')) {
    unsafe(path, `non-canonical host ${JSON.stringify(rawHost)}`);
  }
  checkServerAddress(url.hostname, { allowLoopback: options.allowLoopback, allowlist: options.allowlist, field: path });
  const pathname = url.pathname.replace(/\/+$/, '');
  return `https://${url.host}${pathname}`;
}

/**
 * Nesting depth measured with yaml's iterative lexer/parser, before the recursive composer runs.
 * Deep nesting (e.g. 30k `{`) exhausts the stack inside yaml's composer; yaml reports that as an
 * error, but the next parse in the same process then dies with a fatal V8 "RegExpCompiler
 * Allocation failed" (yaml 2.9.1, Node 22). So the composer must never see such input.
 */
export function yamlNestingDepth(raw: string, limit: number): number {
  const parser = new Parser();
  let max = 0;
  for (const lexeme of new Lexer().lex(raw)) {
    for (const _ of parser.next(lexeme));
    max = Math.max(max, parser.stack.length);
    if (max > limit) return max;
  }
  for (const _ of parser.end());
  return max;
}

// Aliases are refused outright, so nothing is ever expanded (no toJS call, no alias bomb).
function rejectTagsAndAliases(doc: Parameters<typeof visit>[0]): void {
  visit(doc, {
    Node(_key, node, path) {
      const where = describe(path, node);
      if (isAlias(node)) unsafe(where, 'YAML aliases are not allowed');
      if ((node as { anchor?: string }).anchor) unsafe(where, 'YAML anchors are not allowed');
      if ((node as { tag?: string }).tag) unsafe(where, `YAML tags are not allowed (${(node as { tag?: string }).tag})`);
    },
  });
}

/** Best-effort field path for a node from visit()'s ancestor list. */
function describe(ancestors: readonly unknown[], node: unknown): string {
  let path = '';
  const chain = [...ancestors.slice(1), node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const next = chain[i + 1];
    if (isSeq(parent)) path = child(path, (parent.items as unknown[]).indexOf(next));
    else if (next && typeof next === 'object' && 'key' in next && 'value' in next) {
      const k = (next as { key: unknown }).key;
      path = child(path, isScalar(k) ? String(k.value) : '?');
    }
  }
  return path || '(document)';
}

export function parseAndValidateKubeconfig(raw: string, options: KubeconfigPolicyOptions): SafeKubeconfig {
  if (typeof raw !== 'string') invalid('kubeconfig', 'must be a string');
  if (Buffer.byteLength(raw, 'utf8') > MAX_KUBECONFIG_BYTES) unsafe('kubeconfig', `larger than ${MAX_KUBECONFIG_BYTES} bytes`);
  if (raw.includes('\0')) unsafe('kubeconfig', 'NUL bytes are not allowed');
  if (yamlNestingDepth(raw, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) unsafe('kubeconfig', `nested deeper than ${MAX_NESTING_DEPTH} levels`);

  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(raw, { uniqueKeys: true, merge: false, strict: true, prettyErrors: false, customTags: [] });
  } catch (err) {
    // e.g. absurd nesting depth
    invalid('kubeconfig', `cannot be parsed (${err instanceof Error ? err.name : 'error'})`);
  }
  if (!Array.isArray(docs) || docs.length === 0) invalid('kubeconfig', 'is empty');
  if (docs.length > 1) unsafe('kubeconfig', 'multiple YAML documents are not allowed');
  const doc = docs[0];
  // %YAML 1.1 would switch scalar rules (yes/no booleans, merge keys): other parsers disagree.
  if (doc.directives?.yaml.explicit || /^%/m.test(raw.split(/^---/m)[0] ?? '')) unsafe('kubeconfig', 'YAML directives are not allowed');
  const dup = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
  if (dup) unsafe('kubeconfig', `duplicate keys are not allowed (line ${dup.linePos?.[0]?.line ?? '?'})`);
  if (doc.errors.length) invalid('kubeconfig', `is not valid YAML (${doc.errors[0].code} at line ${doc.errors[0].linePos?.[0]?.line ?? '?'})`);
  try {
    rejectTagsAndAliases(doc);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    invalid('kubeconfig', 'cannot be parsed (too deeply nested)');
  }
  if (doc.warnings.length) unsafe('kubeconfig', `YAML warnings are not allowed (${doc.warnings[0].code})`);

  const root = entries(doc.contents as YamlNode | null, '', 'the document root');
  checkKeys(root, '', ALLOWED_ROOT_KEYS);
  const apiVersion = root.get('apiVersion');
  if (apiVersion !== undefined && str(apiVersion, 'apiVersion') !== 'v1') invalid('apiVersion', 'must be v1');
  const kind = root.get('kind');
  if (kind !== undefined && str(kind, 'kind') !== 'Config') invalid('kind', 'must be Config');

  // Select the context.
  const contexts = seq(root.get('contexts'), 'contexts');
  let contextName = options.context;
  if (contextName === undefined) {
    const current = root.get('current-context');
    if (current !== undefined && current !== null && !(isScalar(current) && (current.value === null || current.value === ''))) {
      contextName = str(current, 'current-context');
    } else if (contexts.items.length === 1) {
      const only = contexts.items[0];
      contextName = str(isMap(only) ? (only.get('name', true) as YamlNode) : null, 'contexts[0].name');
    } else {
      invalid('current-context', 'is not set and there is not exactly one context: pass a context');
    }
  }
  const ctx = findNamed(contexts, 'contexts', contextName, 'context');
  const ctxPath = child(child('contexts', ctx.index), 'context');
  const ctxBody = entries(ctx.body, ctxPath, 'context');
  checkKeys(ctxBody, ctxPath, ALLOWED_CONTEXT_KEYS);
  const clusterName = str(ctxBody.get('cluster'), child(ctxPath, 'cluster'));
  const userName = str(ctxBody.get('user'), child(ctxPath, 'user'));

  // Cluster.
  const cl = findNamed(seq(root.get('clusters'), 'clusters'), 'clusters', clusterName, 'cluster');
  const clPath = child(child('clusters', cl.index), 'cluster');
  const clBody = entries(cl.body, clPath, 'cluster');
  const skip = clBody.get('insecure-skip-tls-verify');
  // An explicit `false` is harmless and common; every other spelling is refused.
  if (skip !== undefined && isScalar(skip) && skip.value === false) clBody.delete('insecure-skip-tls-verify');
  checkKeys(clBody, clPath, ALLOWED_CLUSTER_KEYS, FORBIDDEN_CLUSTER_KEYS);
  if (!clBody.has('server')) invalid(child(clPath, 'server'), 'is required');
  const server = checkServer(str(clBody.get('server'), child(clPath, 'server')), child(clPath, 'server'), options);
  if (!clBody.has('certificate-authority-data')) {
    invalid(child(clPath, 'certificate-authority-data'), 'is required (inline CA certificate)');
  }
  const caPath = child(clPath, 'certificate-authority-data');
  const caData = checkCertificates(str(clBody.get('certificate-authority-data'), caPath), caPath);

  // User.
  const us = findNamed(seq(root.get('users'), 'users'), 'users', userName, 'user');
  const usPath = child(child('users', us.index), 'user');
  const usBody = entries(us.body, usPath, 'user');
  checkKeys(usBody, usPath, ALLOWED_USER_KEYS, FORBIDDEN_USER_KEYS);
  let user: SafeKubeconfigUser;
  const hasToken = usBody.has('token');
  const hasCert = usBody.has('client-certificate-data') || usBody.has('client-key-data');
  if (hasToken && hasCert) invalid(usPath, 'use either token or client-certificate-data/client-key-data, not both');
  if (hasToken) {
    const tPath = child(usPath, 'token');
    const token = str(usBody.get('token'), tPath);
    // Visible ASCII only: a CR/LF would smuggle headers.
    if (!/^[\x21-\x7e]+$/.test(token)) unsafe(tPath, 'must be non-empty visible ASCII');
    user = { token };
  } else if (hasCert) {
    const cPath = child(usPath, 'client-certificate-data');
    const kPath = child(usPath, 'client-key-data');
    if (!usBody.has('client-certificate-data')) invalid(cPath, 'is required with client-key-data');
    if (!usBody.has('client-key-data')) invalid(kPath, 'is required with client-certificate-data');
    user = {
      certData: checkCertificates(str(usBody.get('client-certificate-data'), cPath), cPath),
      keyData: checkPrivateKey(str(usBody.get('client-key-data'), kPath), kPath),
    };
  } else {
    invalid(usPath, 'needs token or client-certificate-data and client-key-data');
  }

  return { server, caData, contextName, clusterName, user };
}
