/**
 * EventBridge event-pattern matching (content filtering), used by the local bus so the same
 * patterns CDK deploys decide delivery here. Supports exact values, null, prefix, suffix,
 * equals-ignore-case, wildcard, anything-but (value, list, prefix, suffix, wildcard,
 * equals-ignore-case), numeric, exists, cidr and `$or`.
 */
export type EventPattern = { [key: string]: unknown };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event);
}

function matchObject(pattern: Record<string, unknown>, value: unknown): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(sub) || !sub.some((alternative) => isPlainObject(alternative) && matchObject(alternative, value))) return false;
      continue;
    }
    const present = isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, key);
    const field = present ? (value as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(sub)) {
      if (!matchLeaf(sub, field, present)) return false;
    } else if (isPlainObject(sub)) {
      // Arrays of objects in the event match when any element matches (EventBridge flattens them).
      const ok = Array.isArray(field) ? field.some((element) => matchObject(sub, element)) : matchObject(sub, field);
      if (!ok) return false;
    } else {
      return false; // A pattern leaf must be an array or an object.
    }
  }
  return true;
}

function matchLeaf(conditions: unknown[], field: unknown, present: boolean): boolean {
  if (!present) return conditions.some((c) => isPlainObject(c) && c.exists === false);
  const values = Array.isArray(field) ? field : [field];
  return conditions.some((condition) => {
    if (isPlainObject(condition) && 'exists' in condition) return condition.exists === true;
    if (isPlainObject(condition) && 'anything-but' in condition) {
      // anything-but holds for an array field only when no element is excluded.
      return values.length > 0 && values.every((v) => !excluded(condition['anything-but'], v));
    }
    return values.some((v) => matchCondition(condition, v));
  });
}

function matchCondition(condition: unknown, value: unknown): boolean {
  if (!isPlainObject(condition)) return condition === value;
  const [operator, operand] = Object.entries(condition)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return matchAffix(operand, value, (v, o) => v.startsWith(o));
    case 'suffix':
      return matchAffix(operand, value, (v, o) => v.endsWith(o));
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof operand === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && typeof operand === 'string' && wildcardRegex(operand).test(value);
    case 'numeric':
      return typeof value === 'number' && Array.isArray(operand) && matchNumeric(operand, value);
    case 'cidr':
      return typeof value === 'string' && typeof operand === 'string' && matchCidr(operand, value);
    default:
      return false;
  }
}

function matchAffix(operand: unknown, value: unknown, test: (v: string, o: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  if (typeof operand === 'string') return test(value, operand);
  if (isPlainObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    return test(value.toLowerCase(), operand['equals-ignore-case'].toLowerCase());
  }
  return false;
}

function excluded(operand: unknown, value: unknown): boolean {
  if (Array.isArray(operand)) return operand.some((o) => o === value);
  if (isPlainObject(operand)) {
    const [operator, inner] = Object.entries(operand)[0] ?? [];
    const list = Array.isArray(inner) ? inner : [inner];
    return list.some((item) => matchCondition({ [operator as string]: item }, value));
  }
  return operand === value;
}

function matchNumeric(spec: unknown[], value: number): boolean {
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const op = spec[i];
    const bound = Number(spec[i + 1]);
    const ok =
      op === '>'
        ? value > bound
        : op === '>='
          ? value >= bound
          : op === '<'
            ? value < bound
            : op === '<='
              ? value <= bound
              : op === '='
                ? value === bound
                : false;
    if (!ok) return false;
  }
  return spec.length >= 2;
}

const wildcardCache = new Map<string, RegExp>();
function wildcardRegex(pattern: string): RegExp {
  let regex = wildcardCache.get(pattern);
  if (!regex) {
    const source = pattern
      .split(/(\\\*|\*)/)
      .map((part) => (part === '*' ? '.*' : part === '\\*' ? '\\*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, 's');
    wildcardCache.set(pattern, regex);
  }
  return regex;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function matchCidr(cidr: string, ip: string): boolean {
  const [network, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const net = ipv4ToInt(network ?? '');
  const addr = ipv4ToInt(ip);
  if (net === undefined || addr === undefined || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(addr / size) === Math.floor(net / size);
}

export type { Json };
