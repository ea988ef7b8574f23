/**
 * Who is asking. Every credential (OIDC JWT, ingest credential, scoped API key, the bootstrap token,
 * a mapped Slack user, a Backstage user through its backend) becomes one Identity before any service
 * is called; services re-check the role they need at the moment of acting, and audits record
 * `subject`, never a name from a request body.
 */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type CredentialKind = 'oidc' | 'ingest' | 'api-key' | 'bootstrap' | 'slack' | 'system';

export interface Identity {
  kind: CredentialKind;
  /** Stable id: the JWT `iss`+`sub`, `slack:<team>/<user>`, `ingest:<id>`, `api-key:<id>`, `bootstrap`, `system:<component>`. */
  subject: string;
  /** What humans read in audits and messages (e-mail, Slack name); never used for decisions. */
  displayName: string;
  /** null for ingest credentials: they may only post alerts. */
  role: Role | null;
  /** Ingest credentials: the alert source they are bound to. */
  source?: string;
}

export function roleRank(role: Role | null | undefined): number {
  return role ? ROLES.indexOf(role) : -1;
}

export function hasRole(identity: Pick<Identity, 'role'> | undefined, needed: Role): boolean {
  return roleRank(identity?.role) >= roleRank(needed);
}

/** fleetops itself acting on an event (an incident's automatic RCA, a schedule): never an approver. */
export function systemIdentity(component: string): Identity {
  return { kind: 'system', subject: `system:${component}`, displayName: `fleetops ${component}`, role: 'operator' };
}
