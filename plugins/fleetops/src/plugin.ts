import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { FleetopsClient, fleetopsApiRef } from './api/FleetopsApi.ts';

/** The fleet page (`/fleetops` in an app that mounts it there). */
export const rootRouteRef = createRouteRef({ id: 'fleetops' });
/** A Component's fleetops tab (mounted under the entity page). */
export const entityContentRouteRef = createRouteRef({ id: 'fleetops:entity-content' });

export const fleetopsPlugin = createPlugin({
  id: 'fleetops',
  apis: [
    createApiFactory({
      api: fleetopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new FleetopsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef, entityContent: entityContentRouteRef },
});

/** Routable page: the fleet (clusters, open incidents, pending approvals, deployments). */
export const FleetopsPage = fleetopsPlugin.provide(
  createRoutableExtension({
    name: 'FleetopsPage',
    component: () => import('./components/FleetPage.tsx').then((m) => m.FleetPage),
    mountPoint: rootRouteRef,
  }),
);

/** Entity tab for Components: health per cluster, incidents, RCA tree, heal runs, deployments, scorecard, cost, Diagnose. */
export const EntityFleetopsContent = fleetopsPlugin.provide(
  createRoutableExtension({
    name: 'EntityFleetopsContent',
    component: () => import('./components/EntityFleetopsContent.tsx').then((m) => m.EntityFleetopsContent),
    mountPoint: entityContentRouteRef,
  }),
);

/** Overview card for a Component's page: health and open incidents at a glance. */
export const EntityFleetopsCard = fleetopsPlugin.provide(
  createComponentExtension({
    name: 'EntityFleetopsCard',
    component: { lazy: () => import('./components/EntityFleetopsCard.tsx').then((m) => m.EntityFleetopsCard) },
  }),
);
