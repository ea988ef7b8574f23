/** Button action ids understood by `POST /v1/slack/interactions` (their value is the incident or healing id). */
export const ACTIONS = {
  ack: 'incident_ack',
  rca: 'incident_rca',
  silence: 'incident_silence_1h',
  approve: 'healing_approve',
  reject: 'healing_reject',
} as const;
