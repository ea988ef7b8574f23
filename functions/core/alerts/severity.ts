import type { Severity } from './types.ts';

/**
 * Alertmanager, PagerDuty and CloudWatch speak different severity words. Unknown words map
 * to `fallback` rather than failing: a badly labelled alert is still an alert.
 */
const WORDS: Record<string, Severity> = {
  critical: 'critical',
  crit: 'critical',
  page: 'critical',
  fatal: 'critical',
  emergency: 'critical',
  p1: 'critical',
  high: 'high',
  error: 'high',
  major: 'high',
  p2: 'high',
  medium: 'medium',
  warning: 'medium',
  warn: 'medium',
  minor: 'medium',
  p3: 'medium',
  low: 'low',
  info: 'low',
  informational: 'low',
  none: 'low',
  p4: 'low',
};

export function mapSeverity(word: string | undefined, fallback: Severity = 'medium'): Severity {
  if (!word) return fallback;
  return WORDS[word.trim().toLowerCase()] ?? fallback;
}
