import { describe, expect, it } from 'vitest';
import { parseFleetCommand } from '../../../functions/core/slack/command.ts';
import { runFleetCommand, type SlackCommandPorts } from '../../../functions/core/slack/dispatch.ts';
import { parseSlackRoles } from '../../../functions/core/slack/roles.ts';

const viewer = { userId: 'UANY', userName: 'anyone', teamId: 'T1' };
const policy = parseSlackRoles(JSON.stringify({ teamId: 'T1', users: {} }), 'UBOSS');

function ports(costs?: SlackCommandPorts['costs']): SlackCommandPorts {
  return {
    listClusters: async () => [],
    openIncidents: async () => [],
    getIncident: async () => undefined,
    acknowledge: async () => undefined,
    silence: async () => ({ id: 's', endsAt: 'x' }),
    clustersOfService: async () => [],
    ...(costs ? { costs } : {}),
  };
}

describe('/fleet cost', () => {
  it('parses an optional service or team', () => {
    expect(parseFleetCommand('cost')).toEqual({ ok: true, command: { kind: 'cost' } });
    expect(parseFleetCommand('cost team-shop')).toEqual({ ok: true, command: { kind: 'cost', target: 'team-shop' } });
    expect(parseFleetCommand('cost a b')).toMatchObject({ ok: false });
  });

  it('answers the fleet bill with idle and the top services, and one service or team', async () => {
    const seen: (string | undefined)[] = [];
    const p = ports(async ({ target }) => {
      seen.push(target);
      return target
        ? { window: '30d', target, items: target === 'frontend' ? [{ key: 'frontend', cost: 12.5, changePct: 20 }] : [] }
        : { window: '30d', total: 100, idle: 40, items: [{ key: 'frontend', cost: 12.5, changePct: null }] };
    });
    const fleet = await runFleetCommand('cost', viewer, p, policy);
    expect(fleet.text).toContain('*Fleet cost*, last 30d: $100, of which idle $40');
    expect(fleet.text).toContain('• frontend: $13 (new)');
    expect((await runFleetCommand('cost frontend', viewer, p, policy)).text).toBe('*frontend*, last 30d: $13 (+20.0 % against the window before).');
    expect((await runFleetCommand('cost team-x', viewer, p, policy)).text).toBe('No cost recorded for team-x in the last 30d.');
    expect(seen).toEqual([undefined, 'frontend', 'team-x']);
  });

  it('says so when costs are not deployed', async () => {
    expect((await runFleetCommand('cost', viewer, ports(), policy)).text).toBe('Costs are not available in this deployment.');
  });
});
