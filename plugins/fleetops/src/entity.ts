import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';

/** Names the fleetops service of a Component when it differs from `metadata.name`. */
export const FLEETOPS_SERVICE_ANNOTATION = 'fleetops.io/service';

export function fleetopsServiceName(entity: Entity): string {
  return entity.metadata.annotations?.[FLEETOPS_SERVICE_ANNOTATION] || entity.metadata.name;
}

export function fleetopsEntityRef(entity: Entity): string {
  return stringifyEntityRef(entity);
}

/** For `EntitySwitch`: show the fleetops tab on Components. */
export function isFleetopsAvailable(entity: Entity): boolean {
  return entity.kind.toLowerCase() === 'component';
}
