/**
 * Fast CSV reading and writing for numeric tables with a header line.
 *
 * Reading loads the file as one Buffer and parses it byte by byte: numeric columns go straight into a
 * row-major Float64Array (no per-cell strings on the fast path), text columns (e.g. timestamps) are kept as
 * byte ranges into the buffer and can be copied to the output without ever becoming JS strings.
 * Writing goes through a 1 MiB byte buffer flushed with writeSync.
 * Supported: comma separator, LF or CRLF line ends, optional UTF-8 BOM, optional double quotes around a
 * field without embedded quotes or commas, blank trailing lines.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

/** A text column: field i is buf[start[i], end[i]) (quotes excluded). */
export class TextColumn {
  readonly buf: Buffer;
  readonly start: Uint32Array;
  readonly end: Uint32Array;
  constructor(buf: Buffer, start: Uint32Array, end: Uint32Array) {
    this.buf = buf;
    this.start = start;
    this.end = end;
  }
  get length(): number {
    return this.start.length;
  }
  get(i: number): string {
    return this.buf.toString('utf8', this.start[i], this.end[i]);
  }
}

export interface CsvTable {
  /** Every header name, in file order. */
  header: string[];
  rows: number;
  /** Names of the numeric columns, in the order of `data`'s columns. */
  numericColumns: string[];
  /** Row-major numbers: rows × numericColumns.length. */
  data: Float64Array;
  /** Text columns by name. */
  text: Record<string, TextColumn>;
}

export interface ReadCsvOptions {
  /** Columns kept as text (byte ranges); every other column must be numeric. */
  textColumns?: readonly string[];
  /** Columns that must be present. */
  requiredColumns?: readonly string[];
  /** Name used in error messages (defaults to the path). */
  label?: string;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Reads a CSV file. Throws CsvError with file, line and column on any problem. */
export function readCsv(path: string, options: ReadCsvOptions = {}): CsvTable {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CsvError(`${path}: file not found`);
    if (code === 'EISDIR') throw new CsvError(`${path}: is a directory, expected a CSV file`);
    throw new CsvError(`${path}: cannot read (${(error as Error).message})`);
  }
  return parseCsv(buf, { ...options, label: options.label ?? path });
}

/** Parses CSV bytes (see readCsv). */
export function parseCsv(buf: Buffer, options: ReadCsvOptions = {}): CsvTable {
  const label = options.label ?? 'CSV';
  const len = buf.length;
  let pos = 0;
  if (len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
  // header
  let eol = buf.indexOf(10, pos);
  if (eol < 0) eol = len;
  let headerLine = buf.toString('utf8', pos, eol);
  if (headerLine.endsWith('\r')) headerLine = headerLine.slice(0, -1);
  if (headerLine.trim() === '') throw new CsvError(`${label}: empty file, expected a header line`);
  const header = headerLine.split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  const cols = header.length;
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '') throw new CsvError(`${label}: empty column name in header`);
    if (seen.has(h)) throw new CsvError(`${label}: duplicate column "${h}" in header`);
    seen.add(h);
  }
  for (const r of options.requiredColumns ?? []) {
    if (!seen.has(r)) throw new CsvError(`${label}: missing column "${r}" (header: ${header.join(',')})`);
  }
  const textSet = new Set(options.textColumns ?? []);
  const isText = header.map((h) => textSet.has(h));
  const numericColumns = header.filter((_, j) => !isText[j]);
  const nNum = numericColumns.length;
  // map file column → numeric slot or text slot
  const numSlot = new Int32Array(cols).fill(-1);
  const textSlot = new Int32Array(cols).fill(-1);
  const textNames: string[] = [];
  for (let j = 0, k = 0; j < cols; j++) {
    if (isText[j]) {
      textSlot[j] = textNames.length;
      textNames.push(header[j]);
    } else numSlot[j] = k++;
  }
  pos = eol + 1;
  const bodyStart = pos;

  // upper bound on rows: newline count (+1 for a last line without newline)
  let maxRows = 0;
  for (let p = buf.indexOf(10, bodyStart); p >= 0; p = buf.indexOf(10, p + 1)) maxRows++;
  maxRows++;

  let data = new Float64Array(maxRows * nNum);
  const tStart = textNames.map(() => new Uint32Array(maxRows));
  const tEnd = textNames.map(() => new Uint32Array(maxRows));
  let rows = 0;
  let line = 1;

  while (pos < len) {
    line++;
    // skip blank lines (only whitespace / CR)
    let q = pos;
    while (q < len && (buf[q] === 13 || buf[q] === 32 || buf[q] === 9)) q++;
    if (q >= len) break;
    if (buf[q] === 10) {
      pos = q + 1;
      continue;
    }
    const rowBase = rows * nNum;
    for (let j = 0; j < cols; j++) {
      // field [fs, fe)
      let fs = pos;
      let fe = pos;
      while (fe < len) {
        const c = buf[fe];
        if (c === 44 || c === 10) break;
        fe++;
      }
      const next = fe;
      let e = fe;
      if (e > fs && buf[e - 1] === 13) e--;
      while (fs < e && (buf[fs] === 32 || buf[fs] === 9)) fs++;
      while (e > fs && (buf[e - 1] === 32 || buf[e - 1] === 9)) e--;
      if (e - fs >= 2 && buf[fs] === 34 && buf[e - 1] === 34) {
        fs++;
        e--;
      }
      const delim = next < len ? buf[next] : 10;
      if (j < cols - 1 && delim !== 44) throw new CsvError(`${label}: line ${line}: expected ${cols} fields, found ${j + 1}`);
      if (j === cols - 1 && delim === 44) throw new CsvError(`${label}: line ${line}: more than ${cols} fields`);
      if (isText[j]) {
        const s = textSlot[j];
        tStart[s][rows] = fs;
        tEnd[s][rows] = e;
      } else {
        const v = parseNumber(buf, fs, e);
        if (Number.isNaN(v)) {
          const raw = buf.toString('utf8', fs, Math.min(e, fs + 40));
          throw new CsvError(`${label}: line ${line}, column "${header[j]}": not a number: "${raw}"`);
        }
        data[rowBase + numSlot[j]] = v;
      }
      pos = next + 1;
    }
    rows++;
  }
  if (rows < maxRows) data = data.slice(0, rows * nNum);
  const text: Record<string, TextColumn> = {};
  textNames.forEach((name, s) => {
    text[name] = new TextColumn(buf, tStart[s].slice(0, rows), tEnd[s].slice(0, rows));
  });
  return { header, rows, numericColumns, data, text };
}

/**
 * Parses a finite decimal number in buf[s, e). Returns NaN when the field is not a number
 * (empty, garbage, nan, inf). Exact: the fast path (≤ 15 significant digits, |exp| ≤ 22) is correctly
 * rounded; anything else falls back to Number().
 */
export function parseNumber(buf: Buffer, s: number, e: number): number {
  if (s >= e) return NaN;
  let p = s;
  let neg = false;
  let c = buf[p];
  if (c === 45 || c === 43) {
    neg = c === 45;
    p++;
  }
  let mant = 0;
  let digits = 0;
  let sig = 0;
  let scale = 0;
  let any = false;
  while (p < e) {
    c = buf[p];
    if (c < 48 || c > 57) break;
    any = true;
    if (sig > 0 || c !== 48) {
      sig++;
      mant = mant * 10 + (c - 48);
    }
    digits++;
    p++;
  }
  if (p < e && buf[p] === 46) {
    p++;
    while (p < e) {
      c = buf[p];
      if (c < 48 || c > 57) break;
      any = true;
      if (sig > 0 || c !== 48) {
        sig++;
        mant = mant * 10 + (c - 48);
      }
      scale--;
      p++;
    }
  }
  if (!any) return NaN;
  let exp = 0;
  if (p < e && (buf[p] === 101 || buf[p] === 69)) {
    p++;
    let eneg = false;
    if (p < e && (buf[p] === 45 || buf[p] === 43)) {
      eneg = buf[p] === 45;
      p++;
    }
    let eany = false;
    while (p < e) {
      c = buf[p];
      if (c < 48 || c > 57) break;
      eany = true;
      exp = exp * 10 + (c - 48);
      if (exp > 100000) exp = 100000;
      p++;
    }
    if (!eany) return NaN;
    if (eneg) exp = -exp;
  }
  if (p !== e) return NaN;
  void digits;
  const e10 = scale + exp;
  let v: number;
  if (sig <= 15 && e10 >= -22 && e10 <= 22) {
    v = e10 < 0 ? mant / POW10[-e10] : mant * POW10[e10];
  } else {
    v = Number(buf.toString('latin1', s, e));
    if (!Number.isFinite(v)) return NaN;
    return v;
  }
  return neg ? -v : v;
}

/** Buffered CSV writer (1 MiB chunks, synchronous). Use path '-' for stdout. */
export class CsvWriter {
  private readonly fd: number;
  private readonly owned: boolean;
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;

  constructor(path: string) {
    if (path === '-') {
      this.fd = 1;
      this.owned = false;
    } else {
      try {
        this.fd = openSync(path, 'w');
      } catch (error) {
        throw new CsvError(`${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      this.owned = true;
    }
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
  }

  /** Writes an ASCII/latin1 string (numbers, separators, header). */
  write(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  /** Writes a UTF-8 string. */
  writeUtf8(s: string): void {
    const n = Buffer.byteLength(s);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  writeByte(c: number): void {
    if (this.pos >= this.buf.length) this.flush();
    this.buf[this.pos++] = c;
  }

  /** Copies src[start, end) verbatim. */
  writeBytes(src: Buffer, start: number, end: number): void {
    this.ensure(end - start);
    this.pos += src.copy(this.buf, this.pos, start, end);
  }

  /** Writes a number in shortest round-trip form. */
  writeNumber(x: number): void {
    this.write(String(x));
  }

  flush(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }

  close(): void {
    this.flush();
    if (this.owned) closeSync(this.fd);
  }
}
