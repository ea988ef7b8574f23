// Label and field selectors (equality, !=, in, notin, exists, !exists).
import { getPath, type Obj } from './util.ts';

export interface Requirement {
  key: string;
  op: 'eq' | 'neq' | 'in' | 'notin' | 'exists' | 'notexists';
  values: string[];
}

export class SelectorError extends Error {}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

export function parseLabelSelector(s: string | undefined | null): Requirement[] {
  if (!s) return [];
  const reqs: Requirement[] = [];
  for (const part of splitTop(s)) {
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part))) {
      const values = m[3]
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values });
    } else if ((m = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(part))) {
      reqs.push({ key: m[1], op: 'neq', values: [m[2]] });
    } else if ((m = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(part))) {
      reqs.push({ key: m[1], op: 'eq', values: [m[2]] });
    } else if ((m = /^!\s*([^\s!=()]+)$/.exec(part))) {
      reqs.push({ key: m[1], op: 'notexists', values: [] });
    } else if ((m = /^([^\s!=()]+)$/.exec(part))) {
      reqs.push({ key: m[1], op: 'exists', values: [] });
    } else throw new SelectorError(`unable to parse requirement: "${part}"`);
  }
  return reqs;
}

export function matchRequirements(reqs: Requirement[], get: (k: string) => string | undefined): boolean {
  for (const r of reqs) {
    const v = get(r.key);
    switch (r.op) {
      case 'eq':
        if (v !== r.values[0]) return false;
        break;
      case 'neq':
        if (v === r.values[0]) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (v === undefined) return false;
        break;
      case 'notexists':
        if (v !== undefined) return false;
        break;
    }
  }
  return true;
}

export function matchLabels(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  return matchRequirements(reqs, (k) => labels?.[k]);
}

/** Field selectors: any dotted path of the object, `=`, `==`, `!=`. */
export function parseFieldSelector(s: string | undefined | null): Requirement[] {
  if (!s) return [];
  return splitTop(s).map((part) => {
    const m = /^([^\s!=]+)\s*(!=|==|=)\s*(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid field selector: "${part}"`);
    return { key: m[1], op: m[2] === '!=' ? 'neq' : 'eq', values: [m[3]] } as Requirement;
  });
}

export function matchFields(reqs: Requirement[], obj: Obj): boolean {
  return matchRequirements(reqs, (k) => {
    const v = getPath(obj, k);
    if (v === undefined || v === null) return '';
    return String(v);
  });
}

/** Converts a LabelSelector object ({matchLabels, matchExpressions}) to requirements. */
export function selectorToRequirements(sel: Obj | undefined): Requirement[] {
  if (!sel) return [];
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, op: 'eq', values: [String(v)] });
  for (const e of sel.matchExpressions ?? []) {
    const op = String(e.operator ?? '').toLowerCase();
    if (op === 'in') reqs.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (op === 'notin') reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (op === 'exists') reqs.push({ key: e.key, op: 'exists', values: [] });
    else if (op === 'doesnotexist') reqs.push({ key: e.key, op: 'notexists', values: [] });
  }
  return reqs;
}

export function selectorToString(sel: Obj | undefined): string {
  return selectorToRequirements(sel)
    .map((r) => {
      switch (r.op) {
        case 'eq':
          return `${r.key}=${r.values[0]}`;
        case 'neq':
          return `${r.key}!=${r.values[0]}`;
        case 'in':
          return `${r.key} in (${r.values.join(',')})`;
        case 'notin':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'exists':
          return r.key;
        default:
          return `!${r.key}`;
      }
    })
    .join(',');
}
