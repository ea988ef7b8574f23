import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import {
  DEFAULT_IMPORTANCE_CONFIG,
  ruleImportance,
  type ImportanceConfig,
  type ImportanceInput,
  type ImportanceScorer,
} from '../../core/alerts/importance.ts';

export interface BedrockImportanceOptions {
  modelId: string;
  /** Anything with the runtime client's `send`; built from `region` when absent. */
  client?: Pick<BedrockRuntimeClient, 'send'>;
  region?: string;
  /** The model gets this long per alert, then the rules answer. */
  timeoutMs?: number;
  cacheTtlSeconds?: number;
  maxCacheEntries?: number;
  rules?: ImportanceConfig;
  now?: () => number;
}

const SYSTEM = [
  'You rate how urgently a human must look at an operational alert in a Kubernetes fleet.',
  'Answer with JSON only: {"score": <number between 0 and 1>, "reason": "<short>"}.',
  '1 = wake someone up now, 0 = noise. Consider severity, environment, blast radius and the message.',
].join(' ');

/**
 * Bedrock Converse importance scorer, bounded and cached per fingerprint. The prompt carries only the
 * alert's names, severity, counts and message (no labels, no credentials). Any failure (timeout,
 * throttling, unparsable answer) returns the rule score, so an outage of the model never blocks alerts.
 */
export class BedrockImportanceScorer implements ImportanceScorer {
  readonly #options: BedrockImportanceOptions;
  readonly #client: Pick<BedrockRuntimeClient, 'send'>;
  readonly #cache = new Map<string, { score: number; at: number }>();

  constructor(options: BedrockImportanceOptions) {
    this.#options = options;
    this.#client = options.client ?? new BedrockRuntimeClient({ ...(options.region ? { region: options.region } : {}), maxAttempts: 1 });
  }

  async score(input: ImportanceInput): Promise<number> {
    const now = (this.#options.now ?? Date.now)();
    const ttl = (this.#options.cacheTtlSeconds ?? 900) * 1000;
    const cached = this.#cache.get(input.fingerprint);
    if (cached && now - cached.at < ttl) return cached.score;
    const fallback = ruleImportance(input, this.#options.rules ?? DEFAULT_IMPORTANCE_CONFIG);
    let score: number;
    try {
      score = await this.#ask(input);
    } catch {
      return fallback;
    }
    if (this.#cache.size >= (this.#options.maxCacheEntries ?? 1000)) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(input.fingerprint, { score, at: now });
    return score;
  }

  async #ask(input: ImportanceInput): Promise<number> {
    const facts = {
      cluster: input.cluster,
      namespace: input.namespace,
      service: input.service,
      alert: input.type,
      severity: input.severity,
      environment: input.environment,
      firingInstances: input.instances,
      servicesAffected: input.services,
      message: input.message.slice(0, 500),
    };
    const out = await this.#client.send(
      new ConverseCommand({
        modelId: this.#options.modelId,
        system: [{ text: SYSTEM }],
        messages: [{ role: 'user', content: [{ text: JSON.stringify(facts) }] }],
        inferenceConfig: { maxTokens: 100, temperature: 0 },
      }),
      { abortSignal: AbortSignal.timeout(this.#options.timeoutMs ?? 2000) },
    );
    const text = (out.output?.message?.content ?? []).map((c) => ('text' in c ? c.text : '')).join('');
    const match = /\{[\s\S]*\}/.exec(text);
    const value = match ? Number((JSON.parse(match[0]) as { score?: unknown }).score) : Number.NaN;
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error('Model answer has no score in [0,1]');
    return value;
  }
}
