import { describe, expect, it } from 'vitest';
import { runFleetCommand, runSlackAction, type SlackCommandPorts } from '../../../functions/core/slack/dispatch.ts';
import { parseSlackRoles } from '../../../functions/core/slack/roles.ts';

const clusters = [
  { id: 'c-dev', name: 'dev', environment: 'dev', status: 'active' },
  { id: 'c-prod', name: 'prod', environment: 'prod', status: 'active' },
];
const approver = { userId: 'UBOSS', userName: 'boss', teamId: 'T1' };
const reader = { userId: 'UREAD', userName: 'reader', teamId: 'T1' };
const policy = parseSlackRoles(JSON.stringify({ teamId: 'T1', users: { UREAD: 'operator' } }), 'UBOSS');

function ports(overrides: Partial<SlackCommandPorts> = {}) {
  const calls: string[] = [];
  const base: SlackCommandPorts = {
    listClusters: async () => clusters,
    openIncidents: async () => [],
    getIncident: async (id) =>
      id === 'i1'
        ? {
            id: 'i1',
            cluster: 'dev',
            namespace: 'shop',
            service: 'payment-service',
            type: 'X',
            severity: 'high',
            status: 'open',
            alertCount: 2,
            firstSeen: 'a',
            lastSeen: 'b',
          }
        : undefined,
    acknowledge: async () => undefined,
    silence: async () => ({ id: 's1', endsAt: 'later' }),
    clustersOfService: async (service) => (service === 'frontend' ? clusters : service === 'payment-service' ? [clusters[0]!] : []),
    startRca: async (input, actor) => {
      calls.push(`rca ${input.clusterId} ${input.service} by ${actor.userId}`);
      return { id: 'rca-1' };
    },
    decideHealing: async (id, decision, actor) => {
      calls.push(`heal ${decision} ${id} by ${actor.userId}`);
      return {
        id,
        cluster: 'dev',
        namespace: 'shop',
        service: 's',
        issueType: 'high_cpu',
        severity: 'high',
        action: 'scale',
        status: decision === 'approve' ? 'EXECUTING' : 'REJECTED',
        reason: 'r',
      };
    },
    ...overrides,
  };
  return { ports: base, calls };
}

describe('/fleet dispatch', () => {
  it('asks which cluster when a service runs on several, and goes ahead when it runs on one', async () => {
    const { ports: p, calls } = ports();
    const ambiguous = await runFleetCommand('diagnose frontend', reader, p, policy);
    expect(ambiguous.text).toContain('/fleet diagnose frontend dev');
    expect(ambiguous.text).toContain('/fleet diagnose frontend prod');
    expect(calls).toEqual([]);
    const single = await runFleetCommand('diagnose payment-service', reader, p, policy);
    expect(single.text).toContain('rca-1');
    expect(calls).toEqual(['rca c-dev payment-service by UREAD']);
    const unknown = await runFleetCommand('diagnose nothing-here', reader, p, policy);
    expect(unknown.text).toMatch(/No cluster reports/);
  });

  it('lets approvers approve and refuses everyone else, recording who acted', async () => {
    const { ports: p, calls } = ports();
    expect((await runFleetCommand('heal approve h1', reader, p, policy)).text).toMatch(/not on the fleetops approvers list/);
    expect(calls).toEqual([]);
    const approved = await runFleetCommand('heal approve h1', approver, p, policy);
    expect(approved.response_type).toBe('in_channel');
    expect(calls).toEqual(['heal approve h1 by UBOSS']);
    await runSlackAction({ actionId: 'healing_reject', value: 'h2' }, approver, p, policy);
    expect(calls).toEqual(['heal approve h1 by UBOSS', 'heal reject h2 by UBOSS']);
  });

  it('starts an RCA from an incident button for the incident’s own service', async () => {
    const { ports: p, calls } = ports();
    await runSlackAction({ actionId: 'incident_rca', value: 'i1' }, reader, p, policy);
    expect(calls).toEqual(['rca dev payment-service by UREAD']);
    expect((await runSlackAction({ actionId: 'incident_rca', value: 'nope' }, reader, p, policy)).text).toMatch(/No incident/);
  });

  it('says so when a feature is not deployed', async () => {
    const { ports: p } = ports({ startDeploy: undefined });
    expect((await runFleetCommand('deploy shop 1.2.3', approver, p, policy)).text).toMatch(/not available/);
  });
});
