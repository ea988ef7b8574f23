import React from 'react';
import { createApp } from '@backstage/app-defaults';
import { AppRouter, FlatRoutes, UrlPatternDiscovery } from '@backstage/core-app-api';
import { Content, Header, Page, Link } from '@backstage/core-components';
import { createApiFactory, discoveryApiRef, useApi, type IdentityApi, type SignInPageProps } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import { Typography } from '@material-ui/core';
import { Route, useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync.js';
import { fleetopsPlugin, FleetopsPage } from '../src/plugin.ts';
import { EntityFleetopsContent } from '../src/components/EntityFleetopsContent.tsx';
import { EntityFleetopsCard } from '../src/components/EntityFleetopsCard.tsx';
import { fleetopsApiRef } from '../src/api/FleetopsApi.ts';

interface Session {
  user: string;
  displayName: string;
  ownership: string[];
}

/**
 * Signs the app in as the dev server's session user. The browser holds only the session cookie:
 * `getCredentials` returns no token; the dev server adds the user's token when it forwards an action.
 */
function SessionSignInPage({ onSignInSuccess }: SignInPageProps) {
  const state = useAsync(async () => {
    const response = await fetch('/api/session', { credentials: 'same-origin' });
    if (response.status === 401) {
      window.location.href = `/signin?next=${encodeURIComponent(window.location.pathname)}`;
      return undefined;
    }
    const session = (await response.json()) as Session;
    const identity: IdentityApi = {
      getBackstageIdentity: async () => ({ type: 'user', userEntityRef: session.user, ownershipEntityRefs: session.ownership }),
      getProfileInfo: async () => ({ displayName: session.displayName }),
      getCredentials: async () => ({}),
      signOut: async () => {
        window.location.href = '/signout';
      },
    };
    onSignInSuccess(identity);
    return session;
  }, []);
  return <Typography>{state.error ? `Sign-in failed: ${state.error.message}` : 'Signing in…'}</Typography>;
}

/** A Component entity for `/fleetops/entity/<name>`: from fleetops' catalog when it has one, else a bare Component. */
function EntityPage() {
  const { name = '' } = useParams();
  const api = useApi(fleetopsApiRef);
  const discovery = useApi(discoveryApiRef);
  const state = useAsync(async (): Promise<Entity> => {
    void api;
    const base = `${await discovery.getBaseUrl('proxy')}/fleetops`;
    const response = await fetch(`${base}/v1/catalog/entities?kind=Component`, { credentials: 'same-origin' });
    const items = response.ok ? (((await response.json()) as { items?: Entity[] }).items ?? []) : [];
    const found = items.find((e) => e.metadata?.name === name);
    return (
      found ?? {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name, namespace: 'default' },
        spec: { type: 'service', lifecycle: 'production', owner: 'unknown' },
      }
    );
  }, [name]);
  return (
    <Page themeId="service">
      <Header title={name} type="component" subtitle={<Link to="/fleetops">← fleet</Link>} />
      <Content>
        {state.value ? (
          <EntityProvider entity={state.value}>
            <div style={{ marginBottom: 16 }}>
              <EntityFleetopsCard />
            </div>
            <EntityFleetopsContent />
          </EntityProvider>
        ) : (
          <Typography>Loading {name}…</Typography>
        )}
      </Content>
    </Page>
  );
}

const app = createApp({
  plugins: [fleetopsPlugin],
  apis: [createApiFactory({ api: discoveryApiRef, deps: {}, factory: () => UrlPatternDiscovery.compile(`${window.location.origin}/api/{{pluginId}}`) })],
  components: { SignInPage: SessionSignInPage },
  // No app-config bundle here: the dev server's origin is both the app and the backend.
  configLoader: async () => [
    { context: 'fleetops-dev', data: { app: { baseUrl: window.location.origin, title: 'fleetops dev app' }, backend: { baseUrl: window.location.origin } } },
  ],
});

export const App = app.createRoot(
  <AppRouter>
    <FlatRoutes>
      <Route path="/fleetops/entity/:name" element={<EntityPage />} />
      <Route path="/fleetops" element={<FleetopsPage />} />
    </FlatRoutes>
  </AppRouter>,
);
