import * as z from 'zod';
import { HEALING_STATUSES, ISSUE_TYPES, SEVERITIES } from '../core/healing/types.ts';

const k8sName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes name');

export const CreateHealingRequest = z
  .object({
    clusterId: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/, 'must be an id'),
    namespace: k8sName.max(63),
    service: k8sName,
    issueType: z.enum(ISSUE_TYPES),
    severity: z.enum(SEVERITIES),
    dryRun: z.boolean().optional(),
    incidentId: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/, 'must be an id')
      .optional(),
  })
  .strict()
  .meta({ id: 'CreateHealingRequest' });

export const HealingStarted = z.object({ id: z.string() }).meta({ id: 'HealingStarted' });

export const HealingListQuery = z
  .object({
    service: z.string().min(1).max(253).optional(),
    status: z.enum(HEALING_STATUSES).optional(),
    incidentId: z.string().min(1).max(128).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const Healing = z
  .object({
    id: z.string(),
    incidentId: z.string().optional(),
    cluster: z.string(),
    namespace: z.string(),
    service: z.string(),
    issueType: z.enum(ISSUE_TYPES),
    severity: z.enum(SEVERITIES),
    action: z.string(),
    status: z.enum(HEALING_STATUSES),
    reason: z.string(),
    createdAt: z.string(),
  })
  .loose()
  .meta({ id: 'Healing' });

export const HealingList = z.object({ items: z.array(Healing) }).meta({ id: 'HealingList' });

export const HealingAnswer = z
  .object({
    /** Who answers; the API token is shared, so say who you are. Defaults to "api". */
    by: z.string().min(1).max(200).optional(),
    reason: z.string().max(1000).optional(),
  })
  .strict()
  .optional();

export const KillSwitchRequest = z.object({ enabled: z.boolean(), by: z.string().min(1).max(200).optional() }).strict();
