import { Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../functions/http/route-definition.ts';

/** Requests per second (steady, burst) for routes anyone can call without a token. */
const ANONYMOUS_THROTTLE = { rateLimit: 10, burstLimit: 20 };
/** Routes with a budget of their own, by `METHOD path`. */
const ROUTE_THROTTLES: Record<string, { rateLimit: number; burstLimit: number }> = {
  'POST /v1/alerts/alertmanager': { rateLimit: 200, burstLimit: 400 },
  'POST /v1/alerts': { rateLimit: 100, burstLimit: 200 },
  // Catalog writes and scorecards fan out (DynamoDB batches, every cluster, GitHub): a small budget each.
  'POST /v1/catalog/entities': { rateLimit: 5, burstLimit: 10 },
  'POST /v1/golden-paths/microservice': { rateLimit: 5, burstLimit: 10 },
  'GET /v1/scorecards': { rateLimit: 2, burstLimit: 4 },
  'GET /v1/scorecards/{entityRef}': { rateLimit: 10, burstLimit: 20 },
};

export interface ApiProps {
  /** Rows of the route table (functions/definitions/routes.ts), local-only rows already removed. */
  routes: RouteDefinition[];
  functionFor(handler: string): lambda.IFunction;
  /** Handler for unmatched requests, so they get the contract's JSON error. */
  defaultHandler: string;
  key: kms.IKey;
  /**
   * An API Gateway JWT authorizer for the routes only humans call (every `auth: 'bearer'` route but the
   * alert routes, /v1/credentials* and /v1/whoami). The Lambda verifies the token again and checks the
   * route's role (roles are per route). Off by default: the gateway authorizer refuses every non-JWT
   * credential (bootstrap token, API keys) on the routes it guards.
   */
  jwtAuthorizer?: { issuer: string; audience: string[] };
}

/** Routes that keep Lambda-side verification only, under a gateway JWT authorizer: machine credentials work there. */
export function machineCredentialRoute(route: Pick<RouteDefinition, 'path' | 'ingest'>): boolean {
  return Boolean(route.ingest) || route.path === '/v1/whoami' || route.path === '/v1/credentials' || route.path.startsWith('/v1/credentials/');
}

const METHODS: Record<RouteDefinition['method'], apigwv2.HttpMethod> = {
  GET: apigwv2.HttpMethod.GET,
  POST: apigwv2.HttpMethod.POST,
  PUT: apigwv2.HttpMethod.PUT,
  DELETE: apigwv2.HttpMethod.DELETE,
};

/**
 * The HTTP API, one route per row of the route table. Authentication and the route's role are the
 * middleware in every handler (the same code as locally), and Slack's signature for Slack
 * routes; the gateway adds throttling, access logs and, optionally, a JWT authorizer.
 */
export class Api extends Construct {
  readonly httpApi: apigwv2.HttpApi;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationFor = (handler: string) => {
      let integration = integrations.get(handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${handler}-integration`, props.functionFor(handler));
        integrations.set(handler, integration);
      }
      return integration;
    };

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'fleetops API',
      createDefaultStage: false,
      defaultIntegration: integrationFor(props.defaultHandler),
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS, encryptionKey: props.key });
    const stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs) },
    });
    // Per-route limits: anonymous routes get a small budget of their own, alert ingestion a larger one,
    // so a flood of unauthenticated requests cannot use up what Alertmanager needs.
    (stage.node.defaultChild as apigwv2.CfnStage).routeSettings = Object.fromEntries([
      ['$default', { ThrottlingRateLimit: ANONYMOUS_THROTTLE.rateLimit, ThrottlingBurstLimit: ANONYMOUS_THROTTLE.burstLimit }],
      ...props.routes
        .filter((route) => route.auth !== 'bearer' || ROUTE_THROTTLES[`${route.method} ${route.path}`])
        .map((route) => {
          const limit = ROUTE_THROTTLES[`${route.method} ${route.path}`] ?? ANONYMOUS_THROTTLE;
          return [`${route.method} ${route.path}`, { ThrottlingRateLimit: limit.rateLimit, ThrottlingBurstLimit: limit.burstLimit }];
        }),
    ]);

    const authorizer = props.jwtAuthorizer
      ? new HttpJwtAuthorizer('OidcAuthorizer', props.jwtAuthorizer.issuer, {
          jwtAudience: props.jwtAuthorizer.audience,
          identitySource: ['$request.header.Authorization'],
        })
      : undefined;
    for (const route of props.routes) {
      const gated = authorizer && route.auth === 'bearer' && !machineCredentialRoute(route);
      this.httpApi.addRoutes({
        path: route.path,
        methods: [METHODS[route.method]],
        integration: integrationFor(route.handler),
        ...(gated ? { authorizer } : {}),
      });
    }
    // The stage's route settings name the routes: CloudFormation must create them first.
    stage.node.addDependency(this.httpApi);
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Every /v1 route is authenticated by the middleware inside its handler (OIDC JWT, ingest credential, API key or the bootstrap token; the same code as the local stack) and checks the role the route needs; with -c oidcGatewayAuthorizer=true the human routes also get an API Gateway JWT authorizer. Slack routes by Slack request signature; /health, /openapi.json and the $default 404 are public by contract.',
    });
  }
}
