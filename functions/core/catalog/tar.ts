/** A minimal POSIX ustar writer (regular files and directories), enough for a generated skeleton. */

export interface TarEntry {
  path: string;
  content?: string;
  /** Default 0o644 for files, 0o755 for directories (paths ending in `/`). */
  mode?: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(path: string, size: number, mode: number, type: '0' | '5', mtime: number): Buffer {
  const buf = Buffer.alloc(BLOCK);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = path.lastIndexOf('/', 154);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
    if (cut <= 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`tar path too long: ${path}`);
  }
  buf.write(name, 0, 100, 'utf8');
  buf.write(octal(mode, 8), 100, 8, 'ascii');
  buf.write(octal(0, 8), 108, 8, 'ascii');
  buf.write(octal(0, 8), 116, 8, 'ascii');
  buf.write(octal(size, 12), 124, 12, 'ascii');
  buf.write(octal(mtime, 12), 136, 12, 'ascii');
  buf.fill(' ', 148, 156);
  buf.write(type, 156, 1, 'ascii');
  buf.write('ustar\0', 257, 6, 'ascii');
  buf.write('00', 263, 2, 'ascii');
  buf.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of buf) sum += byte;
  buf.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return buf;
}

/** Entries in order; parent directories are added when missing. `mtime` in epoch seconds keeps the output reproducible. */
export function tarArchive(entries: TarEntry[], mtime = 0): Buffer {
  const parts: Buffer[] = [];
  const dirs = new Set<string>();
  const addDir = (dir: string) => {
    if (!dir || dirs.has(dir)) return;
    addDir(dir.split('/').slice(0, -2).join('/') + (dir.split('/').length > 2 ? '/' : ''));
    dirs.add(dir);
    parts.push(header(dir, 0, 0o755, '5', mtime));
  };
  for (const entry of entries) {
    if (entry.path.startsWith('/') || entry.path.split('/').includes('..')) throw new Error(`unsafe tar path: ${entry.path}`);
    if (entry.path.endsWith('/')) {
      addDir(entry.path);
      continue;
    }
    const slash = entry.path.lastIndexOf('/');
    if (slash > 0) addDir(entry.path.slice(0, slash + 1));
    const data = Buffer.from(entry.content ?? '', 'utf8');
    parts.push(header(entry.path, data.length, entry.mode ?? 0o644, '0', mtime), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
