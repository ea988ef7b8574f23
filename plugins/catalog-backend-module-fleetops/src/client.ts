/** The few fleetops reads the catalog modules need, with a service credential (never a user's). */
export interface FleetopsReader {
  get<T>(path: string): Promise<T>;
}

export interface FleetopsReaderOptions {
  baseUrl: string;
  /** A fleetops credential with the viewer role (an OIDC token for a service, or a token for a fleetops service account). */
  token: string;
  fetch?: typeof fetch;
}

export function fleetopsReader(options: FleetopsReaderOptions): FleetopsReader {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  return {
    async get<T>(path: string): Promise<T> {
      const response = await doFetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(15_000),
      });
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        throw new Error(`fleetops GET ${path} answered ${response.status}: ${text.slice(0, 200)}`);
      }
      return (await response.json()) as T;
    },
  };
}
