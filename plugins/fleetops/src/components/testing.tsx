/** Test helpers: a FleetopsApi whose answers a test sets, rendered in Backstage's test app. */
import React from 'react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import { fleetopsApiRef, FleetopsError, type FleetopsApi } from '../api/FleetopsApi.ts';

/** Answers may be plain values or promises; a thrown error or rejected promise is a failed call. */
export type Answers = { [K in keyof FleetopsApi]?: (...args: Parameters<FleetopsApi[K]>) => Awaited<ReturnType<FleetopsApi[K]>> | ReturnType<FleetopsApi[K]> };

/** Every method not answered never resolves (the loading state), so a test states what it relies on. */
export function fakeApi(answers: Answers, calls: string[] = []): FleetopsApi {
  return new Proxy({} as FleetopsApi, {
    get:
      (_t, name: string) =>
      (...args: unknown[]) => {
        calls.push(`${name}(${args.map((a) => JSON.stringify(a)).join(',')})`);
        const answer = (answers as Record<string, (...a: unknown[]) => unknown>)[name];
        return answer ? Promise.resolve().then(() => answer(...args)) : new Promise(() => undefined);
      },
  });
}

export const never = () => new Promise<never>(() => undefined);
export const fails =
  (status: number, code = 'X', message = 'failed') =>
  () =>
    Promise.reject(new FleetopsError(status, code, message));

export const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payment', namespace: 'default', annotations: { 'fleetops.io/service': 'payment-service' } },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:default/payments' },
};

export function renderWith(api: FleetopsApi, element: React.ReactElement, entity?: Entity) {
  return renderInTestApp(
    <TestApiProvider apis={[[fleetopsApiRef, api]]}>{entity ? <EntityProvider entity={entity}>{element}</EntityProvider> : element}</TestApiProvider>,
  );
}
