import { mkdirSync, statSync } from 'node:fs';

/**
 * The local data dir holds the API token, the secrets key and DynamoDB Local's files. Created private
 * (0700); an existing one is refused when someone else owns it or others may write to it (they could
 * plant a token or swap the database).
 */
export function ensurePrivateDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = statSync(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new Error(`Data dir ${dir} is owned by uid ${stat.uid}, not by this user (uid ${uid}): refusing to use it`);
  }
  if ((stat.mode & 0o022) !== 0) {
    throw new Error(`Data dir ${dir} is writable by group or others (mode ${(stat.mode & 0o777).toString(8)}): chmod 700 it`);
  }
}
