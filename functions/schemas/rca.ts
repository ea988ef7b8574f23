import * as z from 'zod';
import { ISSUE_TYPES } from '../core/rca/analyzers/index.ts';

const k8sName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes name');

export const StartRcaRequest = z
  .object({
    clusterId: z.string().min(1).max(128).describe('Cluster id or name'),
    namespace: k8sName.max(63),
    service: k8sName,
  })
  .strict()
  .meta({ id: 'StartRcaRequest' });

export const RcaStarted = z.object({ id: z.string() }).meta({ id: 'RcaStarted' });

export const RootCause = z.object({
  category: z.string().min(1).max(80),
  resource: z.string().min(1).max(300),
  description: z.string().min(1).max(2000),
  evidence: z.array(z.string().max(300)).min(1).max(30),
  confidence: z.number().min(0).max(1),
});

export const TimelineEntry = z.object({ at: z.string(), event: z.string().max(500), evidence: z.array(z.string()).optional() });

/** The report, exactly the contract's shape plus optional extras. Also what the model's answer is validated against. */
export const RcaReport = z
  .object({
    summary: z.string().min(1).max(2000),
    symptoms: z.array(z.string().max(1000)).max(20),
    rootCauses: z.array(RootCause).max(5),
    contributingFactors: z.array(z.string().max(1000)).max(20),
    timeline: z.array(TimelineEntry).max(40),
    remediation: z.array(z.string().max(1000)).max(12),
    prevention: z.array(z.string().max(1000)).max(12),
    engine: z.enum(['rules', 'bedrock']),
    issueType: z.enum(ISSUE_TYPES).optional(),
    fallbackReason: z.string().optional(),
    missingEvidence: z.array(z.string()).optional(),
  })
  .meta({ id: 'RcaReport' });

export const Rca = z
  .object({
    id: z.string(),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']),
    report: RcaReport.optional(),
    incidentId: z.string().optional(),
    cluster: z.string().optional(),
    namespace: z.string().optional(),
    service: z.string().optional(),
    error: z.string().optional(),
    createdAt: z.string().optional(),
    /** When it reached SUCCEEDED or FAILED. */
    completedAt: z.string().optional(),
  })
  .meta({ id: 'Rca' });

/** RcaCompleted event detail (source fleetops.rca), agreed with the healing feature. */
export const RcaCompletedDetail = z.object({
  rcaId: z.string(),
  incidentId: z.string().optional(),
  clusterId: z.string(),
  cluster: z.string(),
  namespace: z.string(),
  service: z.string(),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  engine: z.enum(['rules', 'bedrock']),
  issueType: z.enum(ISSUE_TYPES).optional(),
  topCause: z.object({ category: z.string(), resource: z.string(), confidence: z.number() }).optional(),
  recentRollout: z.object({ deployment: z.string(), revision: z.string(), at: z.string(), changed: z.array(z.string()) }).optional(),
  /** What healing acts on, decided by the rules over the evidence (core/rca/complete.ts healingAuthority); `proposal`: needs approval. */
  healing: z
    .object({
      target: z.string(),
      topCause: z.object({ category: z.string(), resource: z.string(), confidence: z.number() }).optional(),
      recentRollout: z.object({ deployment: z.string(), revision: z.string(), at: z.string(), changed: z.array(z.string()) }).optional(),
      proposal: z.string().optional(),
    })
    .optional(),
});
export type RcaCompletedDetail = z.infer<typeof RcaCompletedDetail>;
