/** Tar (POSIX ustar, via tar-stream) and gzip (node:zlib) for generated skeletons: regular files and directories only. */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { pack } from 'tar-stream';
import type { ArchiveWriter } from '../../core/catalog/ports.ts';
import type { TarEntry } from '../../core/catalog/tar.ts';

/** Entries in order; parent directories are added when missing. `mtime` in epoch seconds keeps the output reproducible. */
export async function tarArchive(entries: TarEntry[], mtime = 0): Promise<Buffer> {
  for (const entry of entries) {
    if (entry.path.startsWith('/') || entry.path.split('/').includes('..')) throw new Error(`unsafe tar path: ${entry.path}`);
  }
  const tar = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    tar.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    tar.on('end', () => resolve(Buffer.concat(chunks)));
    tar.on('error', reject);
  });
  const common = { mtime: new Date(mtime * 1000), uid: 0, gid: 0 };
  const dirs = new Set<string>();
  const addDir = (dir: string) => {
    if (!dir || dirs.has(dir)) return;
    addDir(dir.split('/').slice(0, -2).join('/') + (dir.split('/').length > 2 ? '/' : ''));
    dirs.add(dir);
    tar.entry({ ...common, name: dir, type: 'directory', mode: 0o755 });
  };
  for (const entry of entries) {
    if (entry.path.endsWith('/')) {
      addDir(entry.path);
      continue;
    }
    const slash = entry.path.lastIndexOf('/');
    if (slash > 0) addDir(entry.path.slice(0, slash + 1));
    tar.entry({ ...common, name: entry.path, type: 'file', mode: entry.mode ?? 0o644 }, Buffer.from(entry.content ?? '', 'utf8'));
  }
  tar.finalize();
  return done;
}

const gzipAsync = promisify(gzip);

export const tarGzArchiveWriter: ArchiveWriter = {
  tarGz: async (entries) => gzipAsync(await tarArchive(entries)),
};
