import type { SlackReply } from '../../core/slack/messages.ts';
import type { SlackResponseUrls } from '../../core/slack/ports.ts';

/**
 * Posts a delayed answer to a slash command's or button's `response_url`. The URL arrives in a
 * signed request, but it is still only ever sent to the configured Slack hosts (https; plain http
 * only for an explicitly listed loopback receiver in tests), and redirects are never followed.
 */
export class SlackResponder implements SlackResponseUrls {
  readonly #hosts: Set<string>;
  readonly #fetch: typeof fetch;

  constructor(options: { allowedHosts: string[]; fetch?: typeof fetch }) {
    this.#hosts = new Set(options.allowedHosts.map((h) => h.trim().toLowerCase()).filter(Boolean));
    this.#fetch = options.fetch ?? fetch;
  }

  isAllowed(responseUrl: string): boolean {
    let url: URL;
    try {
      url = new URL(responseUrl);
    } catch {
      return false;
    }
    if (url.username || url.password || url.hash) return false;
    const host = url.host.toLowerCase();
    if (url.protocol === 'https:') return this.#hosts.has(url.hostname.toLowerCase()) || this.#hosts.has(host);
    const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]';
    return url.protocol === 'http:' && loopback && this.#hosts.has(host);
  }

  async post(responseUrl: string, reply: SlackReply): Promise<void> {
    if (!this.isAllowed(responseUrl)) throw new Error('response_url is not a Slack address');
    const response = await this.#fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reply),
      redirect: 'error',
      signal: AbortSignal.timeout(5000),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`Slack answered ${response.status} to the delayed response`);
  }
}
