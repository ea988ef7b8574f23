import type { NormalizedAlert, Severity } from './types.ts';

export type Environment = 'prod' | 'staging' | 'dev' | 'unknown';

export interface ImportanceInput {
  fingerprint: string;
  cluster: string;
  namespace: string;
  service: string;
  type: string;
  severity: Severity;
  message: string;
  environment: Environment;
  /** Alert instances (pods, jobs, alarms) firing together. */
  instances: number;
  /** Services involved (1 unless dependency grouping joined others). */
  services: number;
}

/**
 * Optional model-based scorer (Bedrock). Implementations return at least the rule score (a model may
 * raise it, never lower it: alert text is attacker-controlled) and fall back to the rules themselves.
 */
export interface ImportanceScorer {
  score(input: ImportanceInput): Promise<number>;
}

export interface ImportanceConfig {
  /** Below this score an incident is recorded but nobody is notified. */
  notifyThreshold: number;
  weights: { severity: number; environment: number; blastRadius: number };
  /** Explicit cluster → environment (the catalog will provide it); otherwise inferred from names. */
  clusterEnvironments?: Record<string, Environment>;
}

export const DEFAULT_IMPORTANCE_CONFIG: ImportanceConfig = {
  notifyThreshold: 0.3,
  weights: { severity: 0.6, environment: 0.25, blastRadius: 0.15 },
};

const SEVERITY_SCORE: Record<Severity, number> = { critical: 1, high: 0.75, medium: 0.5, low: 0.2 };
const ENVIRONMENT_SCORE: Record<Environment, number> = { prod: 1, staging: 0.6, dev: 0.3, unknown: 0.6 };

const PATTERNS: [Environment, RegExp][] = [
  ['prod', /(^|[^a-z])(prod|production|prd|live)([^a-z]|$)/],
  ['staging', /(^|[^a-z])(staging|stage|stg|preprod|uat)([^a-z]|$)/],
  ['dev', /(^|[^a-z])(dev|development|test|testing|qa|lab|sandbox|local)([^a-z]|$)/],
];

export function environmentOf(alert: Pick<NormalizedAlert, 'cluster' | 'labels'>, clusterEnvironments: Record<string, Environment> = {}): Environment {
  if (clusterEnvironments[alert.cluster]) return clusterEnvironments[alert.cluster];
  const l = alert.labels;
  const candidates = [l.environment, l.env, l.stage, alert.cluster, l.alarmName];
  for (const text of candidates) {
    if (!text) continue;
    const match = PATTERNS.find(([, re]) => re.test(text.toLowerCase()));
    if (match) return match[0];
  }
  return 'unknown';
}

/** Saturating: 1 instance → 0, 5 → 0.5, many → 1; every extra service counts like four pods. */
export function blastRadius(instances: number, services: number): number {
  const spread = Math.max(0, instances - 1) / 4 + Math.max(0, services - 1);
  return spread / (1 + spread);
}

export function ruleImportance(input: ImportanceInput, config: ImportanceConfig = DEFAULT_IMPORTANCE_CONFIG): number {
  const w = config.weights;
  const total = w.severity + w.environment + w.blastRadius;
  const raw =
    w.severity * SEVERITY_SCORE[input.severity] +
    w.environment * ENVIRONMENT_SCORE[input.environment] +
    w.blastRadius * blastRadius(input.instances, input.services);
  return Math.round((raw / total) * 1000) / 1000;
}

export function isNotifiable(score: number, config: ImportanceConfig = DEFAULT_IMPORTANCE_CONFIG): boolean {
  return score >= config.notifyThreshold;
}
