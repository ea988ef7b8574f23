import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackSignature } from '../../../functions/core/slack/signature.ts';

// The worked example from Slack's "Verifying requests from Slack" guide.
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const TS = '1531420618';
const EXPECTED = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const at = (seconds: number) => new Date(seconds * 1000);

describe('Slack request signature (v0)', () => {
  it('matches the signature in Slack’s documentation', () => {
    expect(slackSignature(SECRET, TS, BODY)).toBe(EXPECTED);
    expect(verifySlackSignature({ timestamp: TS, signature: EXPECTED, rawBody: BODY }, SECRET, at(Number(TS) + 10))).toEqual({
      ok: true,
      timestamp: Number(TS),
    });
  });

  it('refuses a changed body, a wrong secret and a malformed header', () => {
    expect(verifySlackSignature({ timestamp: TS, signature: EXPECTED, rawBody: BODY + 'x' }, SECRET, at(Number(TS)))).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifySlackSignature({ timestamp: TS, signature: EXPECTED, rawBody: BODY }, SECRET + 'x', at(Number(TS)))).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifySlackSignature({ timestamp: TS, signature: EXPECTED.slice(0, -1), rawBody: BODY }, SECRET, at(Number(TS)))).toMatchObject({
      ok: false,
      reason: 'missing_headers',
    });
    expect(verifySlackSignature({ timestamp: undefined, signature: EXPECTED, rawBody: BODY }, SECRET, at(Number(TS)))).toMatchObject({
      ok: false,
      reason: 'missing_headers',
    });
    expect(verifySlackSignature({ timestamp: '1e9', signature: EXPECTED, rawBody: BODY }, SECRET, at(Number(TS)))).toMatchObject({
      ok: false,
      reason: 'missing_headers',
    });
  });

  it('accepts only a five-minute window on either side', () => {
    const ok = (skew: number) => verifySlackSignature({ timestamp: TS, signature: EXPECTED, rawBody: BODY }, SECRET, at(Number(TS) + skew)).ok;
    expect(ok(299)).toBe(true);
    expect(ok(-299)).toBe(true);
    expect(ok(301)).toBe(false);
    expect(ok(-301)).toBe(false);
  });
});
