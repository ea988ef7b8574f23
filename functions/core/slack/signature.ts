import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window for `X-Slack-Request-Timestamp`. */
export const SLACK_TIMESTAMP_WINDOW_SECONDS = 5 * 60;

export type SignatureVerdict = { ok: true; timestamp: number } | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'bad_signature' };

export interface SignedRequest {
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string;
}

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` (Slack's request signing, version 0). */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`, 'utf8').digest('hex')}`;
}

/**
 * Checks a request against Slack's signing secret before anything else reads its body.
 * Constant-time comparison; a timestamp outside ±5 minutes is refused even with a valid signature.
 */
export function verifySlackSignature(request: SignedRequest, signingSecret: string, now: Date): SignatureVerdict {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || !/^v0=[0-9a-f]{64}$/.test(signature)) {
    return { ok: false, reason: 'missing_headers' };
  }
  const seconds = Number(timestamp);
  if (Math.abs(now.getTime() / 1000 - seconds) > SLACK_TIMESTAMP_WINDOW_SECONDS) return { ok: false, reason: 'stale_timestamp' };
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, rawBody), 'utf8');
  const presented = Buffer.from(signature, 'utf8');
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return { ok: false, reason: 'bad_signature' };
  return { ok: true, timestamp: seconds };
}
