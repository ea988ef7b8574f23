/**
 * Kubernetes resource quantities (apimachinery `resource.Quantity`): a signed decimal number with an
 * optional binary suffix (Ki Mi Gi Ti Pi Ei), decimal SI suffix (n u m "" k M G T P E) or decimal
 * exponent (1e3, 1E-3). `250m` → 0.25, `200Mi` → 209715200, `123456n` → 0.000123456.
 */
import { ValidationError } from '../errors.ts';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** Parses a quantity into base units (cores for cpu, bytes for memory). Throws ValidationError on garbage. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw new ValidationError(`Invalid quantity ${q}`);
    return q;
  }
  const s = String(q).trim();
  const m = QUANTITY.exec(s);
  if (!m) throw new ValidationError(`Invalid Kubernetes quantity "${s.slice(0, 40)}"`);
  const n = Number(m[1]);
  if (m[2]) return Number(m[1] + m[2]);
  const suffix = m[3] ?? '';
  return n * (BINARY[suffix] ?? DECIMAL[suffix]);
}

/** parseQuantity that answers undefined instead of throwing. */
export function tryParseQuantity(q: string | number | undefined | null): number | undefined {
  if (q === undefined || q === null || q === '') return undefined;
  try {
    return parseQuantity(q);
  } catch {
    return undefined;
  }
}
