import React from 'react';
import { EmptyState, Progress, WarningPanel } from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import { FleetopsError } from '../api/FleetopsApi.ts';

/** What a user should do about a failed fleetops call, by its status. */
export function explain(
  error: unknown,
  what: string,
): { title: string; message: string; kind: 'not-configured' | 'not-signed-in' | 'not-allowed' | 'not-found' | 'error' } {
  if (error instanceof FleetopsError) {
    if (error.status === 0 || error.status === 502 || error.status === 503 || error.status === 504)
      return {
        kind: 'not-configured',
        title: 'fleetops is not reachable',
        message: `Backstage could not reach fleetops to load ${what} (${error.message}). Check that the fleetops proxy (proxy.endpoints['/fleetops'] or FLEETOPS_URL for the dev app) points at a running fleetops API.`,
      };
    if (error.status === 401)
      return {
        kind: 'not-signed-in',
        title: 'Not signed in to fleetops',
        message: `fleetops did not accept your Backstage credential (${error.message}). Sign in again; if it persists, ask your admin to trust Backstage's tokens in FLEETOPS_OIDC_ISSUERS.`,
      };
    if (error.status === 403)
      return {
        kind: 'not-allowed',
        title: 'Not allowed',
        message: `Your fleetops role does not allow this (${error.message}). Ask a fleetops admin for the role it needs.`,
      };
    if (error.status === 404)
      return {
        kind: 'not-found',
        title: 'Unknown to fleetops',
        message: `fleetops has no ${what} (${error.message}). Register the service's catalog-info.yaml with fleetops (POST /v1/catalog/entities) or set the fleetops.io/service annotation to its fleetops name.`,
      };
  }
  return {
    kind: 'error',
    title: `Could not load ${what}`,
    message: `${(error as Error)?.message ?? String(error)}. Retry; if it persists, check the fleetops API logs.`,
  };
}

export function FleetopsErrorPanel({ error, what }: { error: unknown; what: string }) {
  const { title, message, kind } = explain(error, what);
  return (
    <WarningPanel severity={kind === 'error' || kind === 'not-configured' ? 'error' : 'warning'} title={title}>
      <Typography variant="body2" data-testid={`fleetops-${kind}`}>
        {message}
      </Typography>
    </WarningPanel>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <div data-testid="fleetops-loading" aria-label={`Loading ${what}`}>
      <Progress />
      <Typography variant="caption">Loading {what}…</Typography>
    </div>
  );
}

export function Empty({ title, description }: { title: string; description: string }) {
  return (
    <div data-testid="fleetops-empty">
      <EmptyState missing="data" title={title} description={description} />
    </div>
  );
}

export const pct = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)} %`);
export const money = (value: number | null | undefined, currency = 'USD') =>
  value === null || value === undefined ? '—' : new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 2 }).format(value);
export const when = (iso: string | undefined) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + 'Z' : '—');
