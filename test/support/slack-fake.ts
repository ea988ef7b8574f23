/** Slack's side of a conversation, locally: an incoming-webhook receiver and signed button presses. */
import { createServer } from 'node:http';
import { slackSignature } from '../../functions/core/slack/signature.ts';

export interface SlackMessage {
  text?: string;
  channel?: string;
  blocks?: { type: string; elements?: { action_id?: string; value?: string }[] }[];
}

export interface SlackReceiver {
  url: string;
  messages: SlackMessage[];
  /** The values of every button with this action id in the messages received so far. */
  buttons(actionId: string): string[];
  stop(): Promise<void>;
}

export async function startSlackReceiver(): Promise<SlackReceiver> {
  const messages: SlackMessage[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        messages.push(JSON.parse(body) as SlackMessage);
      } catch {
        messages.push({ text: body });
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    messages,
    buttons: (actionId) =>
      messages
        .flatMap((m) => (m.blocks ?? []).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : [])))
        .filter((e) => e.action_id === actionId)
        .map((e) => e.value ?? ''),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A press of a Slack button, as Slack posts it to `/v1/slack/interactions`: form-encoded and signed. */
export async function pressSlackButton(baseUrl: string, secret: string, actionId: string, value: string, user: string): Promise<{ status: number; body: any }> {
  const payload = { type: 'block_actions', user: { id: user, username: user.toLowerCase() }, actions: [{ action_id: actionId, value }] };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(`${baseUrl}/v1/slack/interactions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(secret, timestamp, body),
    },
    body,
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}
