/** Error patterns in log lines: counted, numbers and ids folded so repeats group together. */

const ERROR_WORDS =
  /\b(error|exception|fatal|panic|failed|failure|refused|timeout|timed out|oomkilled|killed|traceback)\b|"level":"(error|fatal)"|\bstatus["=: ]+5\d\d\b/i;

export function isErrorLine(line: string): boolean {
  return ERROR_WORDS.test(line);
}

const TIMESTAMP_PREFIX = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z?\s+/;

/** A line's shape: timestamps, numbers, hex ids and quoted values replaced, so similar errors count as one pattern. */
export function patternOf(line: string): string {
  return line
    .replace(TIMESTAMP_PREFIX, '')
    .replace(/\b[0-9a-f]{8,}\b/gi, '<id>')
    .replace(/\d+(\.\d+)*/g, '<n>')
    .slice(0, 200);
}

export function errorPatterns(lines: string[], top = 5): { errorLines: number; patterns: { pattern: string; count: number }[] } {
  const counts = new Map<string, number>();
  let errorLines = 0;
  for (const line of lines) {
    if (!isErrorLine(line)) continue;
    errorLines++;
    const p = patternOf(line);
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const patterns = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([pattern, count]) => ({ pattern, count }));
  return { errorLines, patterns };
}
