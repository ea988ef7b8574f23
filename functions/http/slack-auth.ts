import { UnauthorizedError } from '../core/errors.ts';
import { verifySlackSignature } from '../core/slack/signature.ts';

export interface SlackRequestVerifierDeps {
  /** The signing secret; undefined when Slack is not configured (every Slack request is then refused). */
  signingSecret(): Promise<string | undefined>;
  replayGuard: { firstUse(signature: string, timestampSeconds: number, nowSeconds: number): Promise<boolean> };
  now(): Date;
}

/** Slack's v0 request signature, then the replay check: runs before the body is parsed. */
export class SlackRequestVerifier {
  readonly #deps: SlackRequestVerifierDeps;

  constructor(deps: SlackRequestVerifierDeps) {
    this.#deps = deps;
  }

  async verify(headers: Record<string, string | undefined>, rawBody: string): Promise<void> {
    const secret = await this.#deps.signingSecret();
    if (!secret) throw new UnauthorizedError('Slack integration is not configured');
    const header = (name: string) => headers[name] ?? headers[name.toLowerCase()] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
    const now = this.#deps.now();
    const verdict = verifySlackSignature({ timestamp: header('x-slack-request-timestamp'), signature: header('x-slack-signature'), rawBody }, secret, now);
    if (!verdict.ok) throw new UnauthorizedError(`Slack request refused (${verdict.reason.replace(/_/g, ' ')})`);
    const first = await this.#deps.replayGuard.firstUse(header('x-slack-signature')!, verdict.timestamp, Math.floor(now.getTime() / 1000));
    if (!first) throw new UnauthorizedError('Slack request refused (replayed signature)');
  }
}
