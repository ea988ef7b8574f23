/**
 * The redactor every byte bound for the model (and every log line kept as evidence) passes through.
 * Known secret values are replaced wherever they appear; on top, patterns catch what nobody told us
 * about: values of secret-looking keys, bearer tokens, JWTs, AWS keys, PEM blocks, kubeconfig
 * credentials and long high-entropy tokens, `Authorization: <scheme> <credential>` (Token, ApiKey…),
 * 32-hex keys and `password <value>` in prose. All patterns have bounded quantifiers and no nested
 * ones, so their cost stays linear in the text.
 *
 * Personal data (issue 19): with `pii` on (the default for anything bound for the model,
 * FLEETOPS_RCA_MASK_PII), e-mail addresses, IPv4 and IPv6 addresses and card numbers (Luhn-checked)
 * become `[EMAIL]`, `[IPV4]`, `[IPV6]`, `[CARD]`.
 */

const SECRET_NAME =
  /(pass(word|wd)?|secret|token|api[-_]?key|apikey|private[-_]?key|credential|auth|session|cookie|signature|access[-_]?key|client[-_]?key|dsn|conn(ection)?[-_]?string)/i;

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
  // Authorization headers whatever their scheme (`Authorization: Token …`, `ApiKey …`, a bare key), and API-key headers
  [/\b((?:proxy-)?authorization|x-api-key|x-auth-token|api-key)(["']?\s*[:=]\s*["']?)((?:[A-Za-z][\w-]{0,20}\s+)?)[^\s"',;]{4,2000}/gi, `$1$2$3${MASK}`],
  // Authorization headers and bearer tokens
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${MASK}`],
  // `Token abc…` as an auth scheme in prose or a curl line (long enough not to be a word)
  [/\b(Token|ApiKey|Api-Key)\s+([A-Za-z0-9._~+/=-]{16,2000})/g, `$1 ${MASK}`],
  // 32-hex keys (API keys, session ids): exactly 32 hex digits, with at least one digit and one letter
  [/\b(?=[0-9a-fA-F]{0,31}[a-fA-F])(?=[0-9a-fA-F]{0,31}\d)[0-9a-fA-F]{32}\b/g, MASK],
  // `password hunter2`, `passwd is hunter2`, `pwd: …` in prose (the `[:=]` forms are below)
  [/\b(password|passwd|passphrase|pwd)(\s+(?:is\s+|was\s+)?)(?![:=])([^\s"',;:=]{3,200})/gi, (_m: string, key: string, gap: string) => `${key}${gap}${MASK}`],
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

/** Luhn's check digit test over a digit string (card numbers). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length >= 13 && digits.length <= 19 && sum % 10 === 0;
}

const PII: [RegExp, string | ((m: string) => string)][] = [
  [/\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b/g, '[EMAIL]'],
  // IPv6: the full form, or a compressed one with `::` and at least one group (never `std::vector`)
  [
    /(?<![\w:.])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,7}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?|::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6}))(?![\w:])/g,
    '[IPV6]',
  ],
  [/(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])/g, '[IPV4]'],
  // 13-19 digits, optionally grouped by spaces or dashes, that pass Luhn
  [/(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, (m: string) => (luhnValid(m.replace(/[ -]/g, '')) ? '[CARD]' : m)],
];

export interface RedactorOptions {
  /** Mask personal data too (e-mails, IP addresses, card numbers). */
  pii?: boolean;
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
export function createRedactor(knownSecrets: string[] = [], secretNames: string[] = [], options: RedactorOptions = {}): Redactor {
  // Longest first, so a secret containing another is replaced whole.
  const known = [...new Set(knownSecrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  const names = [...new Set(secretNames.filter((n) => /^[\w.-]{1,100}$/.test(n)))];
  const byName = names.length
    ? new RegExp(`(["']?\\b(?:${names.map(escapeRegex).join('|')})\\b["']?\\s*[:=]\\s*)("[^"\\n]{0,500}"|'[^'\\n]{0,500}'|[^\\s"',;&}]{1,500})`, 'g')
    : undefined;
  const text = (input: string): string => {
    let out = input;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(MASK);
    if (byName) out = out.replace(byName, (_m, key: string, value: string) => `${key}${maskLike(value)}`);
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement as (substring: string, ...args: string[]) => string);
    out = out.replace(TOKEN, (m) => (looksLikeToken(m) ? MASK : m));
    if (options.pii) for (const [pattern, replacement] of PII) out = out.replace(pattern, replacement as (substring: string) => string);
    return out;
  };
  const value = <T>(input: T): T => {
    if (typeof input === 'string') return text(input) as T;
    if (Array.isArray(input)) return input.map((v) => value(v)) as T;
    if (input && typeof input === 'object') return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, value(v)])) as T;
    return input;
  };
  return { text, value };
}
