/**
 * Which hosts a cluster `server` may point at. Pure: no DNS here; the kube adapter calls
 * checkResolvedAddress on every address a name resolves to, right before connecting.
 */
import { BlockList, isIP } from 'node:net';
import { ValidationError } from '../errors.ts';

export interface AddressPolicyOptions {
  /** Accept 127.0.0.0/8, ::1 and localhost (the local simulator). */
  allowLoopback: boolean;
  /**
   * Operator allowlist. Entries are CIDRs (`10.0.0.0/8`), single IPs, host suffixes starting with a
   * dot (`.eks.amazonaws.com`) or exact host names. When non-empty, only matching hosts pass.
   */
  allowlist?: string[];
  /** Field named in error messages. */
  field?: string;
}

export interface ResolvedAddressOptions extends AddressPolicyOptions {
  /** The name that resolved to `ip`; a name allowlist entry matching it admits the address. */
  host?: string;
}

const CODE = 'UNSAFE_KUBECONFIG';

function refuse(field: string, reason: string): never {
  throw new ValidationError(`${field} is not allowed: ${reason}`, { field }, CODE);
}

function blockList(v4: string[], v6: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of v4) {
    const [net, prefix] = cidr.split('/');
    list.addSubnet(net, Number(prefix), 'ipv4');
  }
  for (const cidr of v6) {
    const [net, prefix] = cidr.split('/');
    list.addSubnet(net, Number(prefix), 'ipv6');
  }
  return list;
}

// Always refused, whatever the allowlist says.
const DENIED_V4: Array<[string, string]> = [
  ['0.0.0.0/8', 'unspecified address ("this network")'],
  ['169.254.0.0/16', 'link-local / instance metadata address'],
  ['224.0.0.0/4', 'multicast address'],
  ['240.0.0.0/4', 'reserved or broadcast address'],
];
const DENIED_V6: Array<[string, string]> = [
  ['::/128', 'unspecified address'],
  ['fe80::/10', 'link-local address'],
  ['fec0::/10', 'site-local address'],
  ['ff00::/8', 'multicast address'],
  // AWS reserves fd00:ec2::/32 for IMDS (…::254), DNS and time sync; the rest of fc00::/7 is fine.
  ['fd00:ec2::/32', 'EC2 instance metadata address'],
];
const DENIED_LISTS = DENIED_V4.map(([c, r]) => [blockList([c], []), r] as const).concat(DENIED_V6.map(([c, r]) => [blockList([], [c]), r] as const));
const LOOPBACK = blockList(['127.0.0.0/8'], ['::1/128']);

const DENIED_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** IPv4 written the way inet_aton accepts it: 1-4 parts, each decimal, 0x-hex or 0-octal. */
export function parseLegacyIPv4(host: string): { value: number; canonical: string } | undefined {
  const parts = host.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p, 8);
    else if (/^(0|[1-9][0-9]*)$/.test(p)) n = Number(p);
    else return undefined;
    if (!Number.isSafeInteger(n)) return undefined;
    nums.push(n);
  }
  const last = nums[nums.length - 1];
  const head = nums.slice(0, -1);
  if (head.some((n) => n > 255)) return undefined;
  const lastBits = 8 * (5 - nums.length);
  if (last >= 2 ** lastBits) return undefined;
  let value = 0;
  head.forEach((n, i) => (value += n * 2 ** (8 * (3 - i))));
  value += last;
  const canonical = [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256).join('.');
  return { value, canonical };
}

/** 16 bytes of an IPv6 literal that node:net accepts. */
function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const bytesTail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    bytesTail.push(...v4[1].split('.').map(Number));
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [left, right] = text.includes('::') ? text.split('::') : [text, undefined];
  const l = left ? left.split(':') : [];
  const r = right ? right.split(':') : [];
  const groups = right === undefined ? l : [...l, ...Array(8 - l.length - r.length).fill('0'), ...r];
  const bytes = groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
  if (bytesTail.length) bytes.splice(12, 4, ...bytesTail);
  return bytes;
}

/** The IPv4 address an IPv6 literal embeds, and how, or undefined. */
function embeddedIPv4(ip: string): { v4: string; kind: 'mapped' | 'translated' } | undefined {
  const b = ipv6Bytes(ip);
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = (at: number) => b.slice(at, at + 4).join('.');
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compat), ::ffff:0:a.b.c.d (SIIT): refused outright.
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return { v4: v4(12), kind: 'mapped' };
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && b[15] === 1)) return { v4: v4(12), kind: 'mapped' };
  if (zero(0, 8) && b[8] === 0xff && b[9] === 0xff && zero(10, 12)) return { v4: v4(12), kind: 'mapped' };
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the embedded IPv4 address: same rules apply to it.
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return { v4: v4(12), kind: 'translated' };
  if (b[0] === 0x20 && b[1] === 0x02) return { v4: v4(2), kind: 'translated' };
  return undefined;
}

function parseAllowlist(allowlist: string[]): { ips: BlockList; names: string[]; hasIps: boolean } {
  const ips = new BlockList();
  const names: string[] = [];
  let hasIps = false;
  for (const raw of allowlist) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const [addr, prefix] = entry.split('/');
    const family = isIP(addr);
    if (family) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
        throw new Error(`Invalid allowlist CIDR: ${raw}`);
      }
      ips.addSubnet(addr, bits, type);
      hasIps = true;
    } else {
      names.push(entry.replace(/\.$/, ''));
    }
  }
  return { ips, names, hasIps };
}

function nameMatches(host: string, names: string[]): boolean {
  return names.some((n) => (n.startsWith('.') ? host.endsWith(n) && host.length > n.length : host === n));
}

/** Base rules for an IP literal (canonical form as node:net accepts it). */
function checkIp(ip: string, family: 4 | 6, options: AddressPolicyOptions, field: string): void {
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (family === 6) {
    const embedded = embeddedIPv4(ip);
    if (embedded?.kind === 'mapped') refuse(field, `IPv4-mapped or IPv4-compatible IPv6 address ${ip}`);
    if (embedded) checkIp(embedded.v4, 4, options, field);
  }
  for (const [list, reason] of DENIED_LISTS) {
    if (list.check(ip, type)) refuse(field, `${reason} ${ip}`);
  }
  if (LOOPBACK.check(ip, type) && !options.allowLoopback) refuse(field, `loopback address ${ip}`);
}

function normaliseHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.') && !h.endsWith('..')) h = h.slice(0, -1);
  return h;
}

/**
 * Throws ValidationError(UNSAFE_KUBECONFIG) unless `host` (a name or IP literal from a server URL)
 * is acceptable as a cluster API server.
 */
export function checkServerAddress(host: string, options: AddressPolicyOptions): void {
  const field = options.field ?? 'server';
  const h = normaliseHost(host);
  if (!h) refuse(field, 'empty host');
  if (h.includes('%')) refuse(field, `scoped or percent-encoded host ${JSON.stringify(host)}`);
  const allow = options.allowlist?.length ? parseAllowlist(options.allowlist) : undefined;

  const family = isIP(h);
  if (family === 4 || family === 6) {
    checkIp(h, family, options, field);
    if (allow && !allow.ips.check(h, family === 4 ? 'ipv4' : 'ipv6')) refuse(field, `${h} is not in the operator allowlist`);
    return;
  }
  const legacy = parseLegacyIPv4(h);
  if (legacy) refuse(field, `non-canonical IPv4 spelling ${JSON.stringify(host)} (= ${legacy.canonical})`);
  const labels = h.split('.');
  // WHATWG URL parsers treat a host ending in a numeric label as IPv4; other clients do not.
  if (/^(0x[0-9a-f]*|[0-9]+)$/i.test(labels[labels.length - 1])) refuse(field, `ambiguous numeric host ${JSON.stringify(host)}`);
  if (h.length > 253 || !labels.every((l) => /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l))) {
    refuse(field, `invalid host name ${JSON.stringify(host)}`);
  }
  if (h === 'localhost' || h.endsWith('.localhost')) {
    if (!options.allowLoopback) refuse(field, `loopback host ${h}`);
  }
  if (DENIED_NAMES.has(h)) refuse(field, `instance metadata host ${h}`);
  if (allow && !nameMatches(h, allow.names)) refuse(field, `${h} is not in the operator allowlist`);
}

/**
 * Connect-time check of one address a server name resolved to (DNS rebinding defence).
 * Same base rules; with an allowlist, the address passes when it is in an allowlisted CIDR or
 * the name it came from matches an allowlisted name.
 */
export function checkResolvedAddress(ip: string, options: ResolvedAddressOptions): void {
  const field = options.field ?? 'server';
  const h = normaliseHost(ip);
  const family = isIP(h);
  if (family !== 4 && family !== 6) refuse(field, `resolved to a non-IP value ${JSON.stringify(ip)}`);
  checkIp(h, family, options, field);
  if (options.allowlist?.length) {
    const allow = parseAllowlist(options.allowlist);
    const byIp = allow.ips.check(h, family === 4 ? 'ipv4' : 'ipv6');
    const byName = options.host !== undefined && nameMatches(normaliseHost(options.host), allow.names);
    if (!byIp && !byName) refuse(field, `${h} is not in the operator allowlist`);
  }
}
