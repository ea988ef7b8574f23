import { describe, expect, it } from 'vitest';
import { mayPostAlertmanager } from '../../../functions/core/identity/credentials.ts';

describe('which ingest credentials may post Alertmanager webhooks', () => {
  it.each(['alertmanager', 'alertmanager-eu', 'alertmanager_prod', 'alertmanager.dc1', 'Alertmanager-EU'])('%s may', (source) => {
    expect(mayPostAlertmanager(source)).toBe(true);
  });
  it.each(['datadog', 'alertmanagerx', 'my-alertmanager', 'alertmanager-', '', undefined])('%s may not', (source) => {
    expect(mayPostAlertmanager(source)).toBe(false);
  });
});
