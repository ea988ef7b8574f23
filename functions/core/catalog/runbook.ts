/**
 * The runbook link the golden path writes into a new service's catalog-info.yaml. It is a placeholder until the team
 * points it at its real runbook, and the scorecard's runbook-linked check fails while it is one. The host is under
 * `.invalid` (RFC 2606: reserved, never resolves), so no real runbook can live there.
 */
export const PLACEHOLDER_RUNBOOK_HOST = 'runbooks.placeholder.invalid';

export const placeholderRunbookUrl = (service: string): string => `https://${PLACEHOLDER_RUNBOOK_HOST}/${service}`;

/** The placeholder's host, or any other `.invalid` host: a link nobody can open. */
export function isPlaceholderRunbook(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return false;
  }
  return host === PLACEHOLDER_RUNBOOK_HOST || host === 'invalid' || host.endsWith('.invalid');
}
