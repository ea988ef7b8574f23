import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { deployedHandlers } from '../../lib/fleetops-stack.ts';
import { ROUTE_LIST } from '../../functions/definitions/routes.ts';
import { RULES, SCHEDULES } from '../../functions/definitions/events.ts';

/** CDK's own switch: no stack is bundled (assets become placeholders), synth takes seconds. */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

let template: Template;
let synthError: unknown;
let stackName = '';

beforeAll(() => {
  // Bundling is proven by test/infra/bundles.test.ts; here the template is what counts, so skip esbuild.
  const { app, stack } = buildApp(new App({ context: { retainData: 'false', ...NO_BUNDLING } }));
  stackName = stack.stackName;
  try {
    app.synth(); // cdk-nag runs as a validation plugin here: unacknowledged errors throw.
  } catch (error) {
    synthError = error;
  }
  template = Template.fromStack(stack);
}, 180_000);

type Resource = { Type: string; Properties: Record<string, any> };
const resources = (type: string) => Object.values(template.findResources(type)) as Resource[];

describe('FleetopsStack', () => {
  it('passes cdk-nag AwsSolutions with every finding acknowledged', () => {
    expect(synthError).toBeUndefined();
  });

  it('has one Node 22 function per handler (ARM64 unless its layers need x86-64), traced, with its own log group', () => {
    const functions = resources('AWS::Lambda::Function');
    expect(functions).toHaveLength(deployedHandlers().length);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual([fn.Properties.Layers ? 'x86_64' : 'arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined();
      expect(fn.Properties.Environment.Variables.FLEETOPS_ALLOW_LOOPBACK_CLUSTERS).toBe('false');
    }
  });

  it('attaches the helm-kubectl layer (x86-64) to the deploy-helm function only', () => {
    const layers = Object.entries(template.findResources('AWS::Lambda::LayerVersion'));
    expect(layers).toHaveLength(1);
    const [layerId, layer] = layers[0];
    expect(layer.Properties.CompatibleArchitectures).toEqual(['x86_64']);
    const withLayer = resources('AWS::Lambda::Function').filter((fn) => fn.Properties.Layers);
    expect(withLayer).toHaveLength(1);
    expect(withLayer[0].Properties.Layers).toEqual([{ Ref: layerId }]);
    expect(withLayer[0].Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe('fleetops-deploy-helm');
  });

  it('creates an HTTP API route for every non-local route and a $default fallback', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    const keys = resources('AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey);
    const expected = ROUTE_LIST.filter((r) => !r.localOnly).map((r) => `${r.method} ${r.path}`);
    expect(keys.sort()).toEqual([...expected, '$default'].sort());
    expect(keys).not.toContain('POST /v1/events');
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AccessLogSettings: Match.objectLike({}) });
  });

  it('keeps state in a KMS-encrypted table with point-in-time recovery and TTL', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('grants PutEvents with the bus construct (grantPutEventsTo), not a hand-written ARN', () => {
    const [busId] = Object.keys(template.findResources('AWS::Events::EventBus'));
    const statements = resources('AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement);
    const putEvents = statements.filter((s: any) => [s.Action].flat().includes('events:PutEvents'));
    expect(putEvents.length).toBeGreaterThan(0);
    for (const statement of putEvents) expect(statement.Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
  });

  it('has the fleetops event bus, the rules and schedules of the shared definitions, and a DLQ', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::Events::Rule', RULES.length + SCHEDULES.length);
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
  });

  it('scopes IAM: functions without data access get no DynamoDB or Secrets Manager actions', () => {
    const policies = resources('AWS::IAM::Policy');
    const healthPolicy = policies.find((p) => JSON.stringify(p.Properties.Roles).includes('Fnhealth'));
    expect(healthPolicy).toBeDefined();
    const actions = JSON.stringify(healthPolicy!.Properties.PolicyDocument.Statement.map((s: any) => s.Action));
    expect(actions).not.toMatch(/dynamodb:|secretsmanager:|events:PutEvents/);
    const rendered = JSON.stringify(policies);
    // Secrets Manager and Step Functions ARNs use ':' before the name; a '/' would silently match nothing.
    expect(rendered).toContain(`:secret:${stackName}/*`);
    expect(rendered).not.toMatch(/:secret\/|:stateMachine\/|:execution\//);
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        const list = [statement.Action].flat();
        expect(
          list.some((a: string) => a === '*' || a.endsWith(':*')),
          JSON.stringify(statement),
        ).toBe(false);
      }
    }
  });
});

describe('FleetopsStack with notifications configured', () => {
  it('passes the notification settings to the alert functions and lets them read the webhook secret', () => {
    const slackArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fleetops-slack-AbCdEf';
    const app = new App({
      context: {
        ...NO_BUNDLING,
        retainData: 'false',
        slackWebhookSecretArn: slackArn,
        emailFrom: 'ops@example.com',
        emailTo: 'sre@example.com',
        pullNamespaces: 'shop',
      },
    });
    const { stack } = buildApp(app);
    const configured = Template.fromStack(stack);
    const functions = Object.values(configured.findResources('AWS::Lambda::Function')) as Resource[];
    const withSlack = functions.filter((f) => f.Properties.Environment.Variables.FLEETOPS_SLACK_WEBHOOK_SECRET_ARN === slackArn);
    expect(withSlack.length).toBeGreaterThanOrEqual(4); // alerts, incidents, ingest-event, incident-escalation
    expect(functions.some((f) => f.Properties.Environment.Variables.FLEETOPS_PULL_NAMESPACES === 'shop')).toBe(true);
    const policies = JSON.stringify(configured.findResources('AWS::IAM::Policy'));
    expect(policies).toContain(slackArn);
  });
});

describe('FleetopsStack with Slack roles', () => {
  it('passes the role map and the bot token secret to the Slack function only, which alone reads the token', () => {
    const tokenArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fleetops-slack-bot-AbCdEf';
    const roles = '{"teamId":"T0123","userGroups":{"S456":"operator"}}';
    const app = new App({
      context: {
        ...NO_BUNDLING,
        retainData: 'false',
        slackSigningSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fleetops-signing-AbCdEf',
        slackRoles: roles,
        slackBotTokenSecretArn: tokenArn,
      },
    });
    const configured = Template.fromStack(buildApp(app).stack);
    const functions = Object.values(configured.findResources('AWS::Lambda::Function')) as Resource[];
    const withToken = functions.filter((f) => f.Properties.Environment.Variables.FLEETOPS_SLACK_BOT_TOKEN_SECRET_ARN === tokenArn);
    expect(withToken).toHaveLength(1);
    expect(withToken[0]!.Properties.Environment.Variables.FLEETOPS_SLACK_ROLES).toBe(roles);
    const readers = (Object.values(configured.findResources('AWS::IAM::Policy')) as Resource[]).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes(tokenArn),
    );
    expect(readers).toHaveLength(1);
    expect(JSON.stringify(readers[0]!.Properties.Roles)).toContain('Fnslack');
  });
});

describe('FleetopsStack with an Argo CD target', () => {
  it('passes the Argo CD settings to the healing step, RCA evidence and deploy helm functions only and lets them (alone) read the token secret', () => {
    const tokenArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fleetops-argocd-token-AbCdEf';
    const app = new App({
      context: { ...NO_BUNDLING, retainData: 'false', argoCdUrl: 'https://argocd.example.com', argoCdTokenSecretArn: tokenArn, argoCdClusters: 'prod' },
    });
    const { stack } = buildApp(app);
    const configured = Template.fromStack(stack);
    const functions = Object.entries(configured.findResources('AWS::Lambda::Function')) as [string, Resource][];
    const withArgo = functions.filter(([, f]) => f.Properties.Environment.Variables.FLEETOPS_ARGOCD_URL !== undefined);
    expect(withArgo.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/deployhelm/i),
      expect.stringMatching(/healingstep/i),
      expect.stringMatching(/rcaevidence/i),
    ]);
    const policies = Object.values(configured.findResources('AWS::IAM::Policy')) as Resource[];
    const readers = policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes(tokenArn));
    const readerRoles = JSON.stringify(readers.map((p) => p.Properties.Roles));
    for (const [, fn] of withArgo) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        FLEETOPS_ARGOCD_URL: 'https://argocd.example.com',
        FLEETOPS_ARGOCD_TOKEN_SECRET_ARN: tokenArn,
        FLEETOPS_ARGOCD_CLUSTERS: 'prod',
      });
      expect(JSON.stringify(fn.Properties.Environment.Variables)).not.toContain('FLEETOPS_ARGOCD_TOKEN"');
      expect(readerRoles).toContain(fn.Properties.Role['Fn::GetAtt'][0]);
    }
    // no other function's role may read the token
    const argoRoles = new Set(withArgo.map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0]));
    for (const [, fn] of functions.filter(([, f]) => !argoRoles.has(f.Properties.Role?.['Fn::GetAtt']?.[0])))
      expect(readerRoles).not.toContain(`"${fn.Properties.Role?.['Fn::GetAtt']?.[0]}"`);
  });

  it('refuses an Argo CD URL without a token secret, or not https', () => {
    expect(() => buildApp(new App({ context: { ...NO_BUNDLING, retainData: 'false', argoCdUrl: 'https://argocd.example.com' } }))).toThrow(/tokenSecretArn/);
    expect(() =>
      buildApp(
        new App({
          context: {
            ...NO_BUNDLING,
            retainData: 'false',
            argoCdUrl: 'http://argocd.example.com',
            argoCdTokenSecretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:x',
          },
        }),
      ),
    ).toThrow(/https/);
  });
});

describe('FleetopsStack hardening', () => {
  it('keeps run-time secrets under the stack name, and lets functions reach only those', () => {
    const withPrefix = resources('AWS::Lambda::Function').filter((fn) => fn.Properties.Environment.Variables.SECRET_PREFIX !== undefined);
    expect(withPrefix.length).toBeGreaterThan(0);
    for (const fn of withPrefix) expect(fn.Properties.Environment.Variables.SECRET_PREFIX).toBe(`${stackName}/`);
    const secretResources = JSON.stringify(resources('AWS::IAM::Policy').map((p) => p.Properties.PolicyDocument));
    expect(secretResources).toContain(`:secret:${stackName}/*`);
    expect(secretResources).not.toContain(':secret:fleetops/*');
  });

  it('lets only the clusters function create, overwrite or delete kubeconfig secrets; deploy entry points write only deployments/*', () => {
    const policies = resources('AWS::IAM::Policy');
    const statementsOf = (handler: string) =>
      policies
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(`Fn${handler.replace(/-/g, '')}`))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const writes = ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret'];
    const writeResources = (handler: string) =>
      JSON.stringify(
        statementsOf(handler)
          .filter((s: any) => s.Effect === 'Allow' && [s.Action].flat().some((a: string) => writes.includes(a)))
          .map((s: any) => s.Resource),
      );
    expect(statementsOf('clusters').length).toBeGreaterThan(0);
    expect(writeResources('clusters')).toContain(`:secret:${stackName}/clusters/*`);
    for (const handler of ['slack', 'catalog', 'deployments', 'deploy-ecr', 'rightsizing']) {
      const rendered = writeResources(handler);
      expect(rendered, handler).toContain(`:secret:${stackName}/deployments/*`);
      expect(rendered, handler).not.toContain(`:secret:${stackName}/clusters`);
      expect(rendered, handler).not.toContain(`:secret:${stackName}/*`);
    }
    // Readers keep reading (kubeconfigs for the steps), never writing.
    expect(writeResources('deploy-helm')).toBe('[]');
  });

  it('lets only the pull function read X-Ray service graphs, and no function read more of X-Ray than that', () => {
    const policies = resources('AWS::IAM::Policy');
    const readers = policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('xray:GetServiceGraph'));
    expect(readers).toHaveLength(1);
    expect(JSON.stringify(readers[0].Properties.Roles)).toContain('Fnpullmetrics');
    const xrayActions = new Set(
      policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat())).filter((a: string) => a.startsWith('xray:')),
    );
    // Active tracing's own actions (CDK grants them to every traced function), plus the one read.
    expect([...xrayActions].sort()).toEqual([
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'xray:GetServiceGraph',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('denies every read-write function updates and deletes of audit rows (AUDIT# partitions)', () => {
    const policies = resources('AWS::IAM::Policy');
    const readWrite = resources('AWS::Lambda::Function').length;
    expect(readWrite).toBeGreaterThan(0);
    const denies = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement.map((s: any) => ({ roles: JSON.stringify(p.Properties.Roles), s })))
      .filter(({ s }) => s.Effect === 'Deny');
    for (const handler of ['healing-step', 'healing', 'alerts', 'clusters', 'slack']) {
      const mine = denies.filter(({ roles }) => roles.includes(`Fn${handler.replace(/-/g, '')}`)).map(({ s }) => s);
      expect(mine, handler).toContainEqual(
        expect.objectContaining({
          Action: expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']),
          Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
        }),
      );
    }
  });

  it('reserves concurrency for alert ingestion and throttles anonymous routes on their own', () => {
    const alerts = resources('AWS::Lambda::Function').filter((fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'fleetops-alerts');
    expect(alerts).toHaveLength(1);
    expect(alerts[0].Properties.ReservedConcurrentExecutions).toBeGreaterThan(0);
    const [stage] = resources('AWS::ApiGatewayV2::Stage');
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    const ingest = settings['POST /v1/alerts/alertmanager'];
    expect(ingest.ThrottlingRateLimit).toBeGreaterThan(0);
    for (const anonymous of ['$default', 'GET /health', 'GET /openapi.json']) {
      expect(settings[anonymous].ThrottlingRateLimit).toBeLessThan(ingest.ThrottlingRateLimit);
    }
  });
});

describe('FleetopsStack with catalog settings', () => {
  it('gives the GitHub token secret to the scorecards functions alone (API and refresh schedule), and the golden chart to the catalog function', () => {
    const tokenArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fleetops-github-token-AbCdEf';
    const context = {
      ...NO_BUNDLING,
      retainData: 'false',
      githubTokenSecretArn: tokenArn,
      goldenChartRepoUrl: 'oci://registry.example.com/charts',
      goldenChartVersion: '0.1.0',
    };
    const configured = Template.fromStack(buildApp(new App({ context })).stack);
    const functions = Object.entries(configured.findResources('AWS::Lambda::Function')) as [string, Resource][];
    const withToken = functions.filter(([, f]) => f.Properties.Environment.Variables.FLEETOPS_GITHUB_TOKEN_SECRET_ARN === tokenArn);
    expect(withToken.map(([id]) => id).sort()).toEqual([expect.stringMatching(/^Fnscorecards(?!refresh)/i), expect.stringMatching(/^Fnscorecardsrefresh/i)]);
    const policies = Object.values(configured.findResources('AWS::IAM::Policy')) as Resource[];
    const readers = policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes(tokenArn));
    expect(readers).toHaveLength(2);
    for (const [, fn] of withToken) expect(readers.some((r) => JSON.stringify(r.Properties.Roles).includes(fn.Properties.Role['Fn::GetAtt'][0]))).toBe(true);
    const withChart = functions.filter(([, f]) => f.Properties.Environment.Variables.FLEETOPS_GOLDEN_CHART_REPO_URL !== undefined);
    expect(withChart.map(([id]) => id)).toEqual([expect.stringMatching(/catalog(?!pull)/i)]);
    expect(withChart[0][1].Properties.Environment.Variables).toMatchObject({ FLEETOPS_GOLDEN_CHART_VERSION: '0.1.0' });
  });
});
