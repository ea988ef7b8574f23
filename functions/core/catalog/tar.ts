/** One file (or directory, path ending in `/`) of a generated archive; written by the ArchiveWriter port (core/catalog/ports.ts). */
export interface TarEntry {
  path: string;
  content?: string;
  /** Default 0o644 for files, 0o755 for directories (paths ending in `/`). */
  mode?: number;
}
