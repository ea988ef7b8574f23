/**
 * The redactor every byte bound for the model (and every log line kept as evidence) passes through.
 * Known secret values are replaced wherever they appear; on top, patterns catch what nobody told us
 * about: values of secret-looking keys, bearer tokens, JWTs, AWS keys, PEM blocks, kubeconfig
 * credentials and long high-entropy tokens. All patterns are linear (no nested quantifiers).
 */

const SECRET_NAME = /(pass(word|wd)?|secret|token|api[-_]?key|apikey|private[-_]?key|credential|auth|session|cookie|signature|access[-_]?key|client[-_]?key|dsn|conn(ection)?[-_]?string)/i;

export function looksSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

const MASK = '[REDACTED]';

/** The mask, keeping the value's quotes so JSON stays JSON. */
function maskLike(value: string): string {
  const q = value[0] === '"' || value[0] === "'" ? value[0] : '';
  return `${q}${MASK}${q}`;
}

const PATTERNS: [RegExp, string | ((...args: string[]) => string)][] = [
  // PEM blocks (certificates, private keys)
  [/-----BEGIN [A-Z ]{1,40}-----[\s\S]{0,20000}?-----END [A-Z ]{1,40}-----/g, MASK],
  // kubeconfig credential fields
  [/\b(client-certificate-data|client-key-data|certificate-authority-data|token|password)(\s*:\s*)("?)[^\s"',}]{4,}\3/gi, `$1$2$3${MASK}$3`],
  // Authorization headers and bearer tokens
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${MASK}`],
  // JWTs
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, MASK],
  // AWS access key ids
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, MASK],
  // URLs with credentials
  [/([a-z][a-z0-9+.-]{1,20}:\/\/)[^\s/:@]{1,100}:[^\s/@]{1,200}@/gi, `$1${MASK}@`],
  // "secretish_key": "value"  /  SECRETISH_KEY=value  /  secretish-key: value (quoted values may hold spaces)
  [
    /("?[\w.-]{0,40}(?:pass(?:word|wd)?|secret|token|api[-_]?key|apikey|private[-_]?key|credential|session|cookie|signature|access[-_]?key|client[-_]?key|dsn)[\w.-]{0,40}"?\s*[:=]\s*)("[^"\n]{0,500}"|'[^'\n]{0,500}'|[^\s"',;&}]{1,500})/gi,
    (_m: string, key: string, value: string) => `${key}${maskLike(value)}`,
  ],
];

/** Long tokens mixing upper case, lower case and digits look like credentials (names and hashes do not). */
const TOKEN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

function looksLikeToken(s: string): boolean {
  return /[A-Z]/.test(s) && /[a-z]/.test(s) && /\d/.test(s) && entropy(s) > 3.5;
}

export interface Redactor {
  text(value: string): string;
  /** Deep copy with every string redacted. */
  value<T>(value: T): T;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `knownSecrets`: values to scrub wherever they appear. `secretNames`: names of variables whose
 * values come from Secrets: `NAME=value`, `"NAME":"value"` and `NAME: value` lose the value,
 * whatever the value looks like.
 */
export function createRedactor(knownSecrets: string[] = [], secretNames: string[] = []): Redactor {
  // Longest first, so a secret containing another is replaced whole.
  const known = [...new Set(knownSecrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  const names = [...new Set(secretNames.filter((n) => /^[\w.-]{1,100}$/.test(n)))];
  const byName = names.length ? new RegExp(`(["']?\\b(?:${names.map(escapeRegex).join('|')})\\b["']?\\s*[:=]\\s*)("[^"\\n]{0,500}"|'[^'\\n]{0,500}'|[^\\s"',;&}]{1,500})`, 'g') : undefined;
  const text = (input: string): string => {
    let out = input;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(MASK);
    if (byName) out = out.replace(byName, (_m, key: string, value: string) => `${key}${maskLike(value)}`);
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement as (substring: string, ...args: string[]) => string);
    return out.replace(TOKEN, (m) => (looksLikeToken(m) ? MASK : m));
  };
  const value = <T>(input: T): T => {
    if (typeof input === 'string') return text(input) as T;
    if (Array.isArray(input)) return input.map((v) => value(v)) as T;
    if (input && typeof input === 'object') return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, value(v)])) as T;
    return input;
  };
  return { text, value };
}
