export { catalogModuleFleetops as default, catalogModuleFleetops } from './module.ts';
export { FleetopsClusterProvider, lifecycleOf } from './FleetopsClusterProvider.ts';
export { FleetopsStatusProcessor, STATUS_ANNOTATIONS } from './FleetopsStatusProcessor.ts';
export { fleetopsReader, type FleetopsReader } from './client.ts';
