/**
 * TF-IDF cosine similarity for alert texts, pure TS. Volatile tokens (numbers, hashes, pod suffixes,
 * ids) become placeholders first, so "pod web-7d9f8-x2k4q restarted 5 times" and
 * "pod web-5c6d7-p9q8r restarted 7 times" read as the same sentence.
 */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ' <uuid> ')
    .replace(/\b(?=[a-z0-9]*\d)[a-z0-9]{5,}\b/g, ' <id> ')
    .replace(/\d+(\.\d+)?%?/g, ' <num> ')
    .split(/[^a-z0-9<>_]+/)
    .filter((t) => t.length > 1);
}

function termFrequencies(tokens: string[]): Map<string, number> {
  const tf = new Map<string, number>();
  for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
}

/** Smoothed inverse document frequency over a corpus of tokenised documents. */
export function inverseDocumentFrequency(documents: string[][]): Map<string, number> {
  const df = new Map<string, number>();
  for (const doc of documents) for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = new Map<string, number>();
  for (const [t, n] of df) idf.set(t, Math.log((1 + documents.length) / (1 + n)) + 1);
  return idf;
}

/** Cosine of the two TF(-IDF) vectors, in [0, 1]. Without `idf` every term weighs 1. */
export function cosineSimilarity(a: string, b: string, idf?: Map<string, number>): number {
  const va = termFrequencies(tokenize(a));
  const vb = termFrequencies(tokenize(b));
  const weight = (t: string) => idf?.get(t) ?? 1;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, f] of va) {
    const w = f * weight(t);
    na += w * w;
    const g = vb.get(t);
    if (g !== undefined) dot += w * g * weight(t);
  }
  for (const [t, g] of vb) nb += (g * weight(t)) ** 2;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Single-link clustering: texts whose similarity reaches `threshold` share a group; returns a group index per text. */
export function groupBySimilarity(texts: string[], threshold: number): number[] {
  const idf = inverseDocumentFrequency(texts.map(tokenize));
  const parent = texts.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      if (root(i) !== root(j) && cosineSimilarity(texts[i], texts[j], idf) >= threshold) parent[root(j)] = root(i);
    }
  }
  const ids = new Map<number, number>();
  return texts.map((_, i) => {
    const r = root(i);
    if (!ids.has(r)) ids.set(r, ids.size);
    return ids.get(r)!;
  });
}
