import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { settingsFromContext } from './settings.ts';
import { ArnFormat, CfnOutput, Stack, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { RULES, SCHEDULES, type EventTarget } from '../functions/definitions/events.ts';
import { settingsFor } from '../functions/definitions/functions.ts';
import { ROUTE_LIST } from '../functions/definitions/routes.ts';
import { AUDIT_PARTITION_PREFIX, MAIN_TABLE } from '../functions/definitions/table.ts';
import { WORKFLOWS } from '../functions/definitions/workflows.ts';
import { Api } from './constructs/api.ts';
import { Data } from './constructs/data.ts';
import { Events } from './constructs/events.ts';
import { FleetFunction } from './constructs/functions.ts';
import { Layers } from './constructs/layers.ts';
import { stateMachineArn, Workflows } from './constructs/workflows.ts';
import { acknowledgeWildcard, acknowledgeWildcardAction, nagArnOf, nagResource } from './nag-suppressions.ts';
import { parseOidcIssuers, type OidcIssuer } from '../functions/schemas/identity.ts';

export interface FleetopsStackProps extends StackProps {
  projectRoot: string;
  /** Any other fleetops setting for every function, as `-c settings='{"FLEETOPS_RESOLVE_AFTER_PULLS":"3"}'` (JSON; checked against functions/config.ts at synth). */
  settings?: unknown;
  /** Keep the table, key and secrets when the stack is deleted (default true). */
  retainData?: boolean;
  /** Operator allowlist of cluster API CIDRs / host suffixes, comma-separated. */
  clusterAllowlist?: string;
  /** Where notifications go and how alerts are rated (all optional; unset means not routed / rules only). */
  notifications?: {
    /** Secrets Manager ARN holding the Slack incoming-webhook URL. */
    slackWebhookSecretArn?: string;
    /** Secrets Manager ARN holding the PagerDuty Events API v2 routing key. */
    pagerDutySecretArn?: string;
    emailFrom?: string;
    /** Comma-separated recipients. */
    emailTo?: string;
    bedrockModelId?: string;
    /** Titan text-embedding model for near-duplicate grouping, e.g. amazon.titan-embed-text-v2:0. */
    embeddingModelId?: string;
    /** Base URL used in incident links. */
    publicUrl?: string;
  };
  /** Slack slash commands and buttons (unset: the Slack routes answer 401). */
  slack?: {
    /** Secrets Manager ARN holding the Slack app's signing secret. */
    signingSecretArn?: string;
    /** Comma-separated Slack user ids allowed to approve healing and deploy to prod. */
    approvers?: string;
    /** Slack users and user groups → roles, JSON (FLEETOPS_SLACK_ROLES): `{"teamId":"T…","users":{…},"userGroups":{…},"defaultRole":"viewer"}`. */
    roles?: string;
    /** Secrets Manager ARN of the Slack bot token (usergroups:read, users:read): user groups and guests for the role map. */
    botTokenSecretArn?: string;
  };
  /**
   * Root-cause analysis engine (`-c rcaEngine=bedrock -c bedrockModelId=...`): `rules` (default) or `bedrock`, where
   * the model refines the rules report. The model is `modelId`, else `notifications.bedrockModelId`; Bedrock access is
   * granted on the configured models only.
   */
  rca?: { engine?: string; modelId?: string; region?: string };
  /** Namespaces pulled for clusters registered without `namespaces` (comma-separated). */
  pullNamespaces?: string;
  /** Service catalog: catalog-info.yaml URLs to pull (comma-separated) and the GitHub API for scorecards. */
  catalog?: {
    urls?: string;
    githubApiUrl?: string;
    /** Secrets Manager ARN of the GitHub token for scorecard repository checks (only the scorecards function reads it). */
    githubTokenSecretArn?: string;
    /** The published golden chart (`fleetops golden-chart`) that golden-path deploys use: https:// or oci:// repository and version. */
    goldenChartRepoUrl?: string;
    goldenChartVersion?: string;
  };
  /**
   * Healing through Argo CD (unset: rollbacks of Argo-managed workloads are proposed). Only the
   * healing step function gets these settings and may read the token secret.
   */
  argoCd?: {
    /** argocd-server's https base URL. */
    url?: string;
    /** Secrets Manager ARN holding the Argo CD API token (a plain string). */
    tokenSecretArn?: string;
    /** Base64 PEM CA bundle, for an Argo CD with a private CA. */
    caData?: string;
    /** Comma-separated registered cluster names this Argo CD manages (unset: all). */
    clusters?: string;
  };
  /**
   * Human sign-in (issue 19): trusted OIDC issuers and the claim → role mapping. Either `issuers`
   * (FLEETOPS_OIDC_ISSUERS JSON, several issuers) or one issuer by its parts. Every bearer-route
   * Lambda verifies tokens and the route's role; `gatewayAuthorizer` adds an API Gateway JWT
   * authorizer (the first issuer) on the human-only routes.
   */
  oidc?: {
    issuers?: string;
    issuer?: string;
    audience?: string;
    rolesClaim?: string;
    /** JSON object: claim value → role. */
    roleMap?: string;
    defaultRole?: string;
    gatewayAuthorizer?: boolean;
  };
}

/** FLEETOPS_OIDC_ISSUERS from the stack props, checked at synth time (a typo fails here, not at login). */
export function oidcIssuers(oidc: FleetopsStackProps['oidc']): OidcIssuer[] {
  if (oidc?.issuers) return parseOidcIssuers(oidc.issuers);
  if (!oidc?.issuer) return [];
  if (!oidc.audience) throw new Error('oidcIssuer needs oidcAudience (the client id or API audience tokens carry)');
  let roleMap: unknown;
  try {
    roleMap = oidc.roleMap ? JSON.parse(oidc.roleMap) : {};
  } catch {
    throw new Error('oidcRoleMap must be a JSON object of claim value → role');
  }
  const entry = {
    issuer: oidc.issuer,
    audience: oidc.audience
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    roleMap,
    ...(oidc.rolesClaim ? { rolesClaim: oidc.rolesClaim } : {}),
    ...(oidc.defaultRole ? { defaultRole: oidc.defaultRole } : {}),
  };
  return parseOidcIssuers(JSON.stringify([entry]));
}

const NOT_FOUND_HANDLER = 'not-found';
/**
 * The functions that talk to Argo CD: the healing workflow's steps (act through it), RCA evidence (reads sync history)
 * and the deploy workflow's helm step (reads whether an Application manages the release before helm runs).
 */
const ARGOCD_HANDLERS = new Set(['healing-step', 'rca-evidence', 'deploy-helm']);

/** Every handler that backs a route, a rule, a schedule or a workflow task: one Lambda each. */
/** The functions that compute scorecards (the API, and the schedule that refreshes stored cards): GitHub settings and token. */
const SCORECARD_HANDLERS = new Set(['scorecards', 'scorecards-refresh']);

export function deployedHandlers(): string[] {
  const targets = [...RULES.map((r) => r.target), ...SCHEDULES.map((s) => s.target)];
  return [
    ...new Set([
      NOT_FOUND_HANDLER,
      ...ROUTE_LIST.filter((r) => !r.localOnly).map((r) => r.handler),
      ...targets.filter((t): t is Extract<EventTarget, { kind: 'function' }> => t.kind === 'function').map((t) => t.handler),
      ...WORKFLOWS.flatMap((w) => Object.values(w.functions)),
    ]),
  ].sort();
}

function notificationEnvironment(n: FleetopsStackProps['notifications']): Record<string, string> {
  const env: Record<string, string | undefined> = {
    FLEETOPS_SLACK_WEBHOOK_SECRET_ARN: n?.slackWebhookSecretArn,
    FLEETOPS_PAGERDUTY_SECRET_ARN: n?.pagerDutySecretArn,
    FLEETOPS_EMAIL_FROM: n?.emailFrom,
    FLEETOPS_EMAIL_TO: n?.emailTo,
    FLEETOPS_BEDROCK_MODEL_ID: n?.bedrockModelId,
    FLEETOPS_EMBEDDING_MODEL_ID: n?.embeddingModelId,
    FLEETOPS_PUBLIC_URL: n?.publicUrl,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

function argoCdEnvironment(argoCd: FleetopsStackProps['argoCd']): Record<string, string> {
  if (!argoCd?.url) return {};
  if (!argoCd.url.startsWith('https://')) throw new Error('argoCd.url must be an https URL');
  if (!argoCd.tokenSecretArn) throw new Error('argoCd.url needs argoCd.tokenSecretArn (the API token in Secrets Manager)');
  return {
    FLEETOPS_ARGOCD_URL: argoCd.url,
    FLEETOPS_ARGOCD_TOKEN_SECRET_ARN: argoCd.tokenSecretArn,
    ...(argoCd.caData ? { FLEETOPS_ARGOCD_CA_DATA: argoCd.caData } : {}),
    ...(argoCd.clusters ? { FLEETOPS_ARGOCD_CLUSTERS: argoCd.clusters } : {}),
  };
}

function slackEnvironment(slack: FleetopsStackProps['slack']): Record<string, string> {
  return {
    ...(slack?.signingSecretArn ? { FLEETOPS_SLACK_SIGNING_SECRET_ARN: slack.signingSecretArn } : {}),
    ...(slack?.botTokenSecretArn ? { FLEETOPS_SLACK_BOT_TOKEN_SECRET_ARN: slack.botTokenSecretArn } : {}),
    ...(slack?.approvers ? { FLEETOPS_SLACK_APPROVERS: slack.approvers } : {}),
    ...(slack?.roles ? { FLEETOPS_SLACK_ROLES: typeof slack.roles === 'string' ? slack.roles : JSON.stringify(slack.roles) } : {}),
  };
}

/** `-c rcaEngine` / `-c bedrockModelId` → the RCA engine and the model it uses (validated at synth). */
export function rcaSettings(props: Pick<FleetopsStackProps, 'rca' | 'notifications'>): { engine: 'rules' | 'bedrock'; modelId?: string; region?: string } {
  const engine = props.rca?.engine ?? 'rules';
  if (engine !== 'rules' && engine !== 'bedrock') throw new Error(`rcaEngine must be rules or bedrock, not ${JSON.stringify(engine)}`);
  if (engine === 'rules') return { engine };
  const modelId = props.rca?.modelId || props.notifications?.bedrockModelId;
  if (!modelId) throw new Error('rcaEngine=bedrock needs a model: -c bedrockModelId=<model or inference profile id> (or -c rcaModelId=...)');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9.:_/-]{2,255}$/.test(modelId))
    throw new Error(`bedrockModelId ${JSON.stringify(modelId)} is not a Bedrock model or inference profile id`);
  const region = props.rca?.region;
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Error(`rcaRegion ${JSON.stringify(region)} is not an AWS region`);
  return { engine, modelId, ...(region ? { region } : {}) };
}

/** A cross-region inference profile id (`us.anthropic…`) → the model it routes to; a model id → itself. */
function profileModel(modelId: string): { profile: boolean; model: string } {
  const m = /^(us|eu|apac|us-gov|global|jp|au|ca)\.(.+)$/.exec(modelId);
  return m ? { profile: true, model: m[2] } : { profile: false, model: modelId };
}

export class FleetopsStack extends Stack {
  private readonly layers: Layers;

  constructor(scope: Construct, id: string, props: FleetopsStackProps) {
    super(scope, id, props);
    const data = new Data(this, 'Data', { table: MAIN_TABLE, retain: props.retainData ?? true });
    this.layers = new Layers(this, 'Layers');
    // The $default handler checks the token too, so unknown /v1 paths answer 401 before 404.
    const issuers = oidcIssuers(props.oidc);
    if (props.oidc?.gatewayAuthorizer && !issuers.length)
      throw new Error('oidcGatewayAuthorizer needs an OIDC issuer (oidcIssuer + oidcAudience, or oidcIssuers)');
    const bearerHandlers = new Set([NOT_FOUND_HANDLER, ...ROUTE_LIST.filter((r) => r.auth === 'bearer' && !r.localOnly).map((r) => r.handler)]);
    const stateMachineArns = Object.fromEntries(WORKFLOWS.map((w) => [w.name, stateMachineArn(this, w.name)]));

    const notificationSecrets = [
      ['SlackWebhookSecret', props.notifications?.slackWebhookSecretArn],
      ['PagerDutySecret', props.notifications?.pagerDutySecretArn],
    ]
      .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
      .map(([id, arn]) => secretsmanager.Secret.fromSecretCompleteArn(this, id, arn));
    const functions = new Map<string, lambda.IFunction>();
    const functionFor = (handler: string) => {
      const fn = functions.get(handler);
      if (!fn) throw new Error(`No function for handler ${handler}`);
      return fn;
    };
    // The bus is needed by the functions' environment, and the rules need the functions: create the bus first.
    const busName = `${this.stackName}-bus`;
    const rca = rcaSettings(props);
    const operatorSettings = settingsFromContext(props.settings);
    // Bedrock is invoked only with configured models: the RCA model (engine bedrock), the alert scorer, the embeddings.
    const bedrockModels = [
      ...new Set([rca.modelId, props.notifications?.bedrockModelId, props.notifications?.embeddingModelId].filter((m): m is string => !!m)),
    ];
    for (const handler of deployedHandlers()) {
      const settings = settingsFor(handler);
      const environment: Record<string, string> = {
        // Operator settings first (-c settings='{…}', checked in lib/settings.ts): the stack's own values below win.
        ...operatorSettings,
        TABLE_NAME: data.table.tableName,
        EVENT_BUS_NAME: busName,
        SECRET_PREFIX: data.secretPrefix,
        KMS_KEY_ID: data.key.keyArn,
        FLEETOPS_ALLOW_LOOPBACK_CLUSTERS: 'false',
        ...(props.clusterAllowlist ? { FLEETOPS_CLUSTER_ALLOWLIST: props.clusterAllowlist } : {}),
        ...(bearerHandlers.has(handler) ? { API_TOKEN_SECRET_ARN: data.apiToken.secretArn } : {}),
        ...(bearerHandlers.has(handler) && issuers.length ? { FLEETOPS_OIDC_ISSUERS: JSON.stringify(issuers) } : {}),
        ...(props.pullNamespaces ? { FLEETOPS_PULL_NAMESPACES: props.pullNamespaces } : {}),
        ...(handler === 'catalog-pull' && props.catalog?.urls ? { FLEETOPS_CATALOG_URLS: props.catalog.urls } : {}),
        ...(SCORECARD_HANDLERS.has(handler) && props.catalog?.githubApiUrl ? { FLEETOPS_GITHUB_API_URL: props.catalog.githubApiUrl } : {}),
        ...(SCORECARD_HANDLERS.has(handler) && props.catalog?.githubTokenSecretArn
          ? { FLEETOPS_GITHUB_TOKEN_SECRET_ARN: props.catalog.githubTokenSecretArn }
          : {}),
        ...(handler === 'catalog' && props.catalog?.goldenChartRepoUrl && props.catalog.goldenChartVersion
          ? { FLEETOPS_GOLDEN_CHART_REPO_URL: props.catalog.goldenChartRepoUrl, FLEETOPS_GOLDEN_CHART_VERSION: props.catalog.goldenChartVersion }
          : {}),
        ...(settings.access.ses ? notificationEnvironment(props.notifications) : {}),
        ...(settings.access.bedrock && rca.engine === 'bedrock'
          ? { FLEETOPS_RCA_ENGINE: 'bedrock', FLEETOPS_RCA_MODEL_ID: rca.modelId!, ...(rca.region ? { FLEETOPS_RCA_BEDROCK_REGION: rca.region } : {}) }
          : {}),
        ...(ARGOCD_HANDLERS.has(handler) ? argoCdEnvironment(props.argoCd) : {}),
        ...(ROUTE_LIST.some((r) => r.handler === handler && r.auth === 'slack') ? slackEnvironment(props.slack) : {}),
        ...(settings.access.workflows?.length
          ? { STATE_MACHINE_ARNS: JSON.stringify(Object.fromEntries(settings.access.workflows.map((w) => [w, stateMachineArns[w]]))) }
          : {}),
      };
      const layers = settings.layers?.map((name) => this.layers.layer(name));
      const { fn } = new FleetFunction(this, `Fn-${handler}`, { handler, projectRoot: props.projectRoot, settings, environment, key: data.key, layers });
      functions.set(handler, fn);

      const access = settings.access;
      if (access.table === 'read') data.table.grantReadData(fn);
      if (access.table === 'readwrite') {
        data.table.grantReadWriteData(fn);
        // Audit rows (partitions AUDIT#…) are written once and never changed or removed, whoever asks.
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            effect: iam.Effect.DENY,
            actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'],
            resources: [data.table.tableArn],
            conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${AUDIT_PARTITION_PREFIX}*`] } },
          }),
        );
      }
      if (access.table) {
        acknowledgeWildcard(
          fn,
          `${nagArnOf(data.table.node.defaultChild as CfnElement)}/index/*`,
          'The table’s own GSIs (CDK grant): queries by status and by kind use gsi1.',
        );
        for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
          acknowledgeWildcardAction(
            fn,
            action,
            'CDK’s grant on the stack’s own KMS key (the only resource in the statement), needed to read and write the encrypted table and secrets.',
          );
        }
      }
      if (bearerHandlers.has(handler)) data.apiToken.grantRead(fn);
      if (access.pricing) {
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['pricing:GetProducts'], resources: ['*'] }));
        acknowledgeWildcard(fn, '*', 'The AWS Price List API has no resource-level permissions: GetProducts is granted on * (read-only public prices).');
      }
      if (access.xray) {
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['xray:GetServiceGraph'], resources: ['*'] }));
        acknowledgeWildcard(
          fn,
          '*',
          'X-Ray has no resource-level permissions for GetServiceGraph: it is granted on * (read-only call statistics; a cluster names the X-Ray group it reads).',
        );
      }
      if (access.secrets) {
        const secretArn = (path: string) =>
          this.formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: `${data.secretPrefix}${path}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          });
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn('*')] }));
        acknowledgeWildcard(
          fn,
          nagResource(fn, `arn:{partition}:secretsmanager:{region}:{account}:secret:${data.secretPrefix}*`),
          'Kubeconfig secrets are created at run time, one per cluster, all under the stack’s prefix; nothing outside it is reachable.',
        );
        if (access.secrets === 'readwrite') {
          // Writes only where this function's own secrets live: a deploy entry point cannot touch kubeconfigs.
          const paths = access.secretWritePaths ?? [];
          if (!paths.length) throw new Error(`function ${handler}: secrets 'readwrite' needs secretWritePaths`);
          fn.addToRolePolicy(
            new iam.PolicyStatement({
              actions: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret', 'secretsmanager:TagResource'],
              resources: paths.map(secretArn),
            }),
          );
          for (const path of paths) {
            acknowledgeWildcard(
              fn,
              nagResource(fn, `arn:{partition}:secretsmanager:{region}:{account}:secret:${data.secretPrefix}${path}`),
              'Secrets this function creates at run time (one per cluster or deployment), under its own path of the stack’s prefix.',
            );
          }
        }
        data.key.grantEncryptDecrypt(fn);
      }
      // PutEvents is granted below with bus.grantPutEventsTo, once the bus exists.
      // State machines are granted by ARN, not with grantStartExecution / grantTaskResponse: the machines
      // reference these functions (Task resources), and a function waits for its role policy, so a grant
      // on the machine object would make a dependency cycle.
      for (const workflow of access.workflows ?? []) {
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArns[workflow]] }));
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['states:DescribeExecution'],
            resources: [
              this.formatArn({
                service: 'states',
                resource: 'execution',
                resourceName: `${this.stackName}-${workflow}:*`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ],
          }),
        );
        acknowledgeWildcard(
          fn,
          nagResource(fn, `arn:{partition}:states:{region}:{account}:execution:${this.stackName}-${workflow}:*`),
          'Executions of this one state machine (names are generated per run).',
        );
      }
      if (access.taskCallbacks) {
        fn.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: Object.values(stateMachineArns) }),
        );
      }
      if (access.bedrock && bedrockModels.length) {
        // Converse is authorised by InvokeModel; a cross-region inference profile routes to its model in other regions.
        const resources: string[] = [];
        for (const id of bedrockModels) {
          const { profile, model } = profileModel(id);
          // The RCA model may be called in another region (-c rcaRegion); the grant names that region.
          const region = id === rca.modelId && rca.region ? rca.region : undefined;
          if (profile) {
            resources.push(
              this.formatArn({ service: 'bedrock', resource: 'inference-profile', resourceName: id, ...(region ? { region } : {}) }),
              `arn:${this.partition}:bedrock:*::foundation-model/${model}`,
            );
            acknowledgeWildcard(
              fn,
              nagResource(fn, `arn:{partition}:bedrock:*::foundation-model/${model}`),
              'One model, in the regions its configured cross-region inference profile routes to.',
            );
          } else
            resources.push(
              this.formatArn({ service: 'bedrock', account: '', resource: 'foundation-model', resourceName: model, ...(region ? { region } : {}) }),
            );
        }
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources }));
      }
      if (access.ses) {
        for (const secret of notificationSecrets) secret.grantRead(fn);
        fn.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [this.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })] }),
        );
        acknowledgeWildcard(
          fn,
          nagResource(fn, 'arn:{partition}:ses:{region}:{account}:identity/*'),
          'The sender identity is operator configuration (FLEETOPS_EMAIL_FROM), verified in SES; sending is limited to this account and region.',
        );
      }
      if (access.eks) {
        // Clusters in any region of this account (others through their roleArn).
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['eks:DescribeCluster'],
            resources: [this.formatArn({ service: 'eks', region: '*', resource: 'cluster', resourceName: '*' })],
          }),
        );
        acknowledgeWildcard(
          fn,
          nagResource(fn, 'arn:{partition}:eks:*:{account}:cluster/*'),
          'EKS clusters are registered at run time by name and region; DescribeCluster only reads endpoint and CA.',
        );
        // Cross-account roles named at registration; only roles tagged fleetops=true can be assumed.
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['sts:AssumeRole'],
            resources: [`arn:${this.partition}:iam::*:role/*`],
            conditions: { StringEquals: { 'iam:ResourceTag/fleetops': 'true' } },
          }),
        );
        Validations.of(fn).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/*]',
          reason: 'EKS clusters live in other accounts, named at registration; AssumeRole is limited to roles tagged fleetops=true.',
        });
      }
    }

    if (props.catalog?.githubTokenSecretArn) {
      const gitHubToken = secretsmanager.Secret.fromSecretCompleteArn(this, 'GitHubTokenSecret', props.catalog.githubTokenSecretArn);
      for (const handler of SCORECARD_HANDLERS) gitHubToken.grantRead(functionFor(handler));
    }
    if (props.argoCd?.url && props.argoCd.tokenSecretArn) {
      const argoToken = secretsmanager.Secret.fromSecretCompleteArn(this, 'ArgoCdTokenSecret', props.argoCd.tokenSecretArn);
      for (const handler of ARGOCD_HANDLERS) argoToken.grantRead(functionFor(handler));
    }

    if (props.slack?.botTokenSecretArn) {
      const botToken = secretsmanager.Secret.fromSecretCompleteArn(this, 'SlackBotTokenSecret', props.slack.botTokenSecretArn);
      for (const handler of new Set(ROUTE_LIST.filter((r) => r.auth === 'slack').map((r) => r.handler))) botToken.grantRead(functionFor(handler));
    }
    if (props.slack?.signingSecretArn) {
      const signingSecret = secretsmanager.Secret.fromSecretCompleteArn(this, 'SlackSigningSecret', props.slack.signingSecretArn);
      for (const handler of new Set(ROUTE_LIST.filter((r) => r.auth === 'slack').map((r) => r.handler))) signingSecret.grantRead(functionFor(handler));
    }

    const workflows = new Workflows(this, 'Workflows', { workflows: WORKFLOWS, projectRoot: props.projectRoot, functionFor, key: data.key });
    const events = new Events(this, 'Events', {
      busName,
      rules: RULES,
      schedules: SCHEDULES,
      functionFor,
      stateMachineFor: (name) => {
        const machine = workflows.stateMachines.get(name);
        if (!machine) throw new Error(`No state machine ${name}`);
        return machine;
      },
      key: data.key,
    });

    for (const handler of deployedHandlers()) if (settingsFor(handler).access.publish) events.bus.grantPutEventsTo(functionFor(handler));

    const api = new Api(this, 'Api', {
      routes: ROUTE_LIST.filter((r) => !r.localOnly),
      functionFor,
      defaultHandler: NOT_FOUND_HANDLER,
      key: data.key,
      ...(props.oidc?.gatewayAuthorizer && issuers[0] ? { jwtAuthorizer: { issuer: issuers[0].issuer, audience: [issuers[0].audience].flat() } } : {}),
    });

    new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'fleetops: events that could not be delivered after all retries',
      metric: events.deadLetterQueue.metricApproximateNumberOfMessagesVisible(),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    new CfnOutput(this, 'ApiUrl', { value: `https://${api.httpApi.apiId}.execute-api.${this.region}.${this.urlSuffix}/` });
    new CfnOutput(this, 'ApiTokenSecretArn', { value: data.apiToken.secretArn });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: busName });
  }
}
