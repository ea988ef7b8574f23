import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import type { TextSimilarity } from '../../core/alerts/pipeline.ts';

export interface BedrockEmbeddingsOptions {
  /** e.g. amazon.titan-embed-text-v2:0 */
  modelId: string;
  client?: Pick<BedrockRuntimeClient, 'send'>;
  /** Titan v2 supports 256, 512 or 1024; small is plenty for alert titles. */
  dimensions?: number;
  /** Per call; the pipeline falls back to TF-IDF when it passes. */
  timeoutMs?: number;
  maxCacheEntries?: number;
}

/**
 * Alert-text similarity from Titan text embeddings (cosine of normalised vectors). Embeddings are
 * cached per text per warm Lambda, so an incident's title is embedded once, not once per alert.
 * Only alert names and messages are sent: never labels, credentials or payloads.
 */
export class BedrockEmbeddingSimilarity implements TextSimilarity {
  readonly #options: BedrockEmbeddingsOptions;
  readonly #client: Pick<BedrockRuntimeClient, 'send'>;
  readonly #cache = new Map<string, number[]>();

  constructor(options: BedrockEmbeddingsOptions) {
    this.#options = options;
    this.#client = options.client ?? new BedrockRuntimeClient({ maxAttempts: 1 });
  }

  async similarities(text: string, others: string[]): Promise<number[]> {
    const signal = AbortSignal.timeout(this.#options.timeoutMs ?? 1500);
    const [base, ...rest] = await Promise.all([text, ...others].map((t) => this.#embed(t, signal)));
    return rest.map((v) => Math.max(0, cosine(base, v)));
  }

  async #embed(text: string, abortSignal: AbortSignal): Promise<number[]> {
    const key = text.slice(0, 2000);
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const out = await this.#client.send(
      new InvokeModelCommand({
        modelId: this.#options.modelId,
        contentType: 'application/json',
        accept: 'application/json',
        body: JSON.stringify({ inputText: key, dimensions: this.#options.dimensions ?? 256, normalize: true }),
      }),
      { abortSignal },
    );
    const parsed = JSON.parse(new TextDecoder().decode(out.body)) as { embedding?: unknown };
    if (!Array.isArray(parsed.embedding) || parsed.embedding.some((v) => typeof v !== 'number')) throw new Error('Embedding response has no embedding');
    const vector = parsed.embedding as number[];
    if (this.#cache.size >= (this.#options.maxCacheEntries ?? 2000)) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, vector);
    return vector;
  }
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
