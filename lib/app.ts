import { App, Validations } from 'aws-cdk-lib';
import cdkNag from 'cdk-nag';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetopsStack } from './fleetops-stack.ts';
import { applyNagSuppressions } from './nag-suppressions.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function buildApp(app = new App()): { app: App; stack: FleetopsStack } {
  const stack = new FleetopsStack(app, app.node.tryGetContext('stackName') ?? 'Fleetops', {
    projectRoot,
    settings: app.node.tryGetContext('settings'),
    retainData: app.node.tryGetContext('retainData') !== 'false',
    clusterAllowlist: app.node.tryGetContext('clusterAllowlist'),
    pullNamespaces: app.node.tryGetContext('pullNamespaces'),
    rca: { engine: app.node.tryGetContext('rcaEngine'), modelId: app.node.tryGetContext('rcaModelId'), region: app.node.tryGetContext('rcaRegion') },
    catalog: {
      urls: app.node.tryGetContext('catalogUrls'),
      githubApiUrl: app.node.tryGetContext('githubApiUrl'),
      githubTokenSecretArn: app.node.tryGetContext('githubTokenSecretArn'),
      goldenChartRepoUrl: app.node.tryGetContext('goldenChartRepoUrl'),
      goldenChartVersion: app.node.tryGetContext('goldenChartVersion'),
    },
    notifications: {
      slackWebhookSecretArn: app.node.tryGetContext('slackWebhookSecretArn'),
      pagerDutySecretArn: app.node.tryGetContext('pagerDutySecretArn'),
      emailFrom: app.node.tryGetContext('emailFrom'),
      emailTo: app.node.tryGetContext('emailTo'),
      bedrockModelId: app.node.tryGetContext('bedrockModelId'),
      embeddingModelId: app.node.tryGetContext('embeddingModelId'),
      publicUrl: app.node.tryGetContext('publicUrl'),
    },
    argoCd: {
      url: app.node.tryGetContext('argoCdUrl'),
      tokenSecretArn: app.node.tryGetContext('argoCdTokenSecretArn'),
      caData: app.node.tryGetContext('argoCdCaData'),
      clusters: app.node.tryGetContext('argoCdClusters'),
    },
    slack: {
      signingSecretArn: app.node.tryGetContext('slackSigningSecretArn'),
      approvers: app.node.tryGetContext('slackApprovers'),
      roles: app.node.tryGetContext('slackRoles'),
      botTokenSecretArn: app.node.tryGetContext('slackBotTokenSecretArn'),
    },
    oidc: {
      issuers: app.node.tryGetContext('oidcIssuers'),
      issuer: app.node.tryGetContext('oidcIssuer'),
      audience: app.node.tryGetContext('oidcAudience'),
      rolesClaim: app.node.tryGetContext('oidcRolesClaim'),
      roleMap: app.node.tryGetContext('oidcRoleMap'),
      defaultRole: app.node.tryGetContext('oidcDefaultRole'),
      gatewayAuthorizer: String(app.node.tryGetContext('oidcGatewayAuthorizer') ?? 'false') === 'true',
    },
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'fleetops: serverless, AI-assisted operations for fleets of Kubernetes clusters',
  });
  applyNagSuppressions(stack);
  // cdk-nag 3 is a validation plugin: errors fail the synth.
  Validations.of(app).addPlugins(new cdkNag.AwsSolutionsChecks(app));
  return { app, stack };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildApp().app.synth();
}
