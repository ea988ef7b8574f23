import * as z from 'zod';
import { Severity } from './alerts.ts';

const name = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'must be a name (letters, digits, . _ : / -)');

/** `detail` of a `KubeStateChanged` event (source fleetops.metrics): one Kubernetes condition firing or resolved. */
export const KubeStateChangedDetail = z
  .object({
    cluster: name,
    clusterId: z.string().min(1).max(128),
    namespace: name,
    service: name,
    type: z.string().regex(/^Kube[A-Za-z]{1,60}$/),
    issueType: z.string().max(64),
    severity: Severity,
    status: z.enum(['firing', 'resolved']),
    reason: z.string().max(256),
    message: z.string().max(4096),
    objects: z.array(z.string().max(512)).max(20),
    since: z.iso.datetime({ offset: true }),
    at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'KubeStateChangedDetail' });
