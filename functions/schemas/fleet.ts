import * as z from 'zod';

const name = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'must be a name (letters, digits, . _ : / -)');

/** `detail` of a `ClusterHealthDegraded` event (source fleetops.metrics): see core/fleet/health-record.ts. */
export const ClusterHealthDegradedDetail = z
  .object({
    cluster: name,
    clusterId: z.string().min(1).max(128),
    environment: z.string().min(1).max(64),
    status: z.enum(['firing', 'resolved']),
    score: z.number().min(0).max(1),
    threshold: z.number().min(0).max(1),
    windowMinutes: z.number().min(0),
    since: z.iso.datetime({ offset: true }),
    at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'ClusterHealthDegradedDetail' });
