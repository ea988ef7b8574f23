/* global module */
/**
 * Import rules that fail `npm run lint`:
 * - core is the domain: it imports only core (and pure libraries), never adapters, handlers, wiring,
 *   http, the CDK app, the local stack or the simulator;
 * - adapters never import handlers, wiring or http;
 * - no cycles anywhere under functions/.
 * test/unit/architecture/import-rules.test.ts plants a violation of each in a temporary copy.
 */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment: 'functions/core is pure: it may import only functions/core (ports are declared there).',
      from: { path: '^functions/core/' },
      to: { path: '^(functions/(adapters|handlers|wiring|http|definitions|schemas)|functions/[^/]+\\.ts$|lib|local|sim|cli|bench)/?' },
    },
    {
      name: 'core-no-io-libraries',
      severity: 'error',
      comment: 'Core takes data and returns decisions: no AWS, Kubernetes or HTTP client libraries.',
      from: { path: '^functions/core/' },
      to: { path: '(^|/)node_modules/(@aws-sdk|@smithy|@kubernetes/client-node|undici|aws-cdk-lib)/' },
    },
    {
      name: 'adapters-never-import-entry-points',
      severity: 'error',
      comment: 'Adapters are the outside world; handlers and wiring sit above them.',
      from: { path: '^functions/adapters/' },
      to: { path: '^functions/(handlers|wiring|http)/' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: { path: '^functions/' },
      to: { circular: true, viaOnly: { pathNot: '' }, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
