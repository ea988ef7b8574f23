import { describe, expect, it } from 'vitest';
import { parseDuration, parseFleetCommand } from '../../../functions/core/slack/command.ts';
import { escapeMrkdwn } from '../../../functions/core/slack/mrkdwn.ts';
import { incidentMessage } from '../../../functions/core/slack/messages.ts';

describe('/fleet command parser', () => {
  it('parses every subcommand', () => {
    expect(parseFleetCommand('')).toEqual({ ok: true, command: { kind: 'help' } });
    expect(parseFleetCommand('clusters')).toEqual({ ok: true, command: { kind: 'clusters' } });
    expect(parseFleetCommand('status prod')).toEqual({ ok: true, command: { kind: 'status', cluster: 'prod' } });
    expect(parseFleetCommand('  INCIDENTS ')).toEqual({ ok: true, command: { kind: 'incidents' } });
    expect(parseFleetCommand('ack inc-123')).toEqual({ ok: true, command: { kind: 'ack', incidentId: 'inc-123' } });
    expect(parseFleetCommand('diagnose payment-service dev')).toEqual({ ok: true, command: { kind: 'diagnose', service: 'payment-service', cluster: 'dev' } });
    expect(parseFleetCommand('heal approve h-1')).toEqual({ ok: true, command: { kind: 'heal', decision: 'approve', healingId: 'h-1' } });
    expect(parseFleetCommand('heal REJECT h-1')).toEqual({ ok: true, command: { kind: 'heal', decision: 'reject', healingId: 'h-1' } });
    expect(parseFleetCommand('silence frontend 2h deploy in progress')).toEqual({
      ok: true,
      command: { kind: 'silence', service: 'frontend', durationSeconds: 7200, reason: 'deploy in progress' },
    });
    expect(parseFleetCommand('deploy shop 1.4.2 canary')).toEqual({ ok: true, command: { kind: 'deploy', release: 'shop', version: '1.4.2', wave: 'canary' } });
    expect(parseFleetCommand('forecast frontend')).toEqual({ ok: true, command: { kind: 'forecast', service: 'frontend' } });
  });

  it('answers malformed input with the usage, never an error', () => {
    const cases = [
      'ack',
      'ack a b',
      'diagnose',
      'diagnose <!channel>',
      'heal maybe h-1',
      'heal approve',
      'silence frontend forever',
      'silence frontend 31d',
      'deploy shop',
      'deploy shop 1.0 a b',
      'status a b',
      'frobnicate',
    ];
    for (const text of cases) {
      const parsed = parseFleetCommand(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.usage).toMatch(/Usage|fleet help/);
    }
  });

  it('parses durations as time', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('1d')).toBe(86400);
    expect(parseDuration('0m')).toBeUndefined();
    expect(parseDuration('5 minutes')).toBeUndefined();
  });
});

describe('Slack text is data', () => {
  it('escapes mentions and links in hostile names', () => {
    expect(escapeMrkdwn('<!channel> & <https://evil|ok>')).toBe('&lt;!channel&gt; &amp; &lt;https[:]//evil|ok&gt;');
    const message = incidentMessage({
      id: 'i1',
      cluster: 'prod',
      service: '<!here> pay',
      type: 'X',
      severity: 'high',
      status: 'open',
      alertCount: 1,
      firstSeen: 'a',
      lastSeen: 'b',
    });
    expect(JSON.stringify(message)).not.toContain('<!here>');
    expect(JSON.stringify(message)).toContain('&lt;!here&gt;');
  });
});
