export { fleetopsPlugin, FleetopsPage, EntityFleetopsContent, EntityFleetopsCard, rootRouteRef, entityContentRouteRef } from './plugin.ts';
export { fleetopsApiRef, FleetopsClient, FleetopsError, type FleetopsApi } from './api/FleetopsApi.ts';
export * from './api/types.ts';
export { FLEETOPS_SERVICE_ANNOTATION, fleetopsServiceName, isFleetopsAvailable } from './entity.ts';
export { FleetPage } from './components/FleetPage.tsx';
export { EntityFleetopsContent as EntityFleetopsContentComponent } from './components/EntityFleetopsContent.tsx';
export { RcaTree } from './components/RcaTree.tsx';
