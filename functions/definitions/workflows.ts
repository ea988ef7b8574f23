/**
 * Step Functions workflows: the ASL file and, for each `${Placeholder}` in it, the handler that
 * implements it. CDK substitutes Lambda ARNs; the local runner maps the same placeholders to the
 * same handler modules.
 */
export interface WorkflowDefinition {
  name: string;
  /** Path from the project root. */
  file: string;
  /** Substitution key in the ASL (`${Key}`) → handler name (functions/handlers/<name>.ts). */
  functions: Record<string, string>;
}

export const WORKFLOWS: WorkflowDefinition[] = [
  {
    name: 'metric-pull',
    file: 'state-machines/metric-pull.asl.json',
    functions: { PlanMetricPullFunctionArn: 'plan-metric-pull', PullMetricsFunctionArn: 'pull-metrics' },
  },
  {
    name: 'healing',
    file: 'state-machines/healing.asl.json',
    functions: { HealingStepFunctionArn: 'healing-step' },
  },
  {
    name: 'rca',
    file: 'state-machines/rca.asl.json',
    functions: { RcaEvidenceFunctionArn: 'rca-evidence', RcaAnalyzeFunctionArn: 'rca-analyze', RcaFailedFunctionArn: 'rca-failed' },
  },
];
