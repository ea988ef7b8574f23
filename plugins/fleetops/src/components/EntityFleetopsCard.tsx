import React from 'react';
import useAsync from 'react-use/esm/useAsync.js';
import { InfoCard, StatusError, StatusOK, StatusPending } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Typography } from '@material-ui/core';
import { fleetopsApiRef } from '../api/FleetopsApi.ts';
import { fleetopsServiceName } from '../entity.ts';
import { Empty, FleetopsErrorPanel, Loading } from './states.tsx';

/** A Component's fleetops status at a glance: clusters with anomalies and open incidents. */
export function EntityFleetopsCard() {
  const { entity } = useEntity();
  const api = useApi(fleetopsApiRef);
  const service = fleetopsServiceName(entity);
  const state = useAsync(async () => {
    const [health, incidents] = await Promise.all([api.serviceHealth(service), api.incidents({ status: 'open', service })]);
    return { health, incidents };
  }, [api, service]);
  let body: React.ReactNode;
  if (state.loading) body = <Loading what="fleetops status" />;
  else if (state.error) body = <FleetopsErrorPanel error={state.error} what={`status of ${service}`} />;
  else if (!state.value!.health.length && !state.value!.incidents.length)
    body = (
      <Empty
        title="Unknown to fleetops"
        description={`fleetops has no metrics or incidents for "${service}". Set the fleetops.io/service annotation if its fleetops name differs.`}
      />
    );
  else {
    const anomalous = state.value!.health.filter((h) => h.status === 'anomaly').length;
    const open = state.value!.incidents.length;
    body = (
      <div data-testid="fleetops-card">
        <Typography>
          {state.value!.health.length === 0 ? (
            <StatusPending>no metrics from fleetops yet</StatusPending>
          ) : anomalous ? (
            <StatusError>{`anomalous on ${anomalous} of ${state.value!.health.length} clusters`}</StatusError>
          ) : (
            <StatusOK>{`healthy on ${state.value!.health.length} clusters`}</StatusOK>
          )}
        </Typography>
        <Typography>{open ? <StatusError>{`${open} open incident${open > 1 ? 's' : ''}`}</StatusError> : <StatusOK>no open incidents</StatusOK>}</Typography>
      </div>
    );
  }
  return <InfoCard title="fleetops">{body}</InfoCard>;
}
