import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { ROUTE_LIST } from '../../functions/definitions/routes.ts';
import { machineCredentialRoute } from '../../lib/constructs/api.ts';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
type Resource = { Type: string; Properties: Record<string, any> };

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf';
const oidcContext = {
  oidcIssuer: ISSUER,
  oidcAudience: 'client-123',
  oidcRolesClaim: 'cognito:groups',
  oidcRoleMap: JSON.stringify({ 'platform-admins': 'admin', sre: 'operator' }),
};

function synth(context: Record<string, unknown>): { template: Template; synthError: unknown } {
  const { app, stack } = buildApp(new App({ context: { retainData: 'false', ...NO_BUNDLING, ...context } }));
  let synthError: unknown;
  try {
    app.synth(); // cdk-nag validation
  } catch (error) {
    synthError = error;
  }
  return { template: Template.fromStack(stack), synthError };
}

describe('OIDC in the stack', () => {
  it('gives every bearer-route function the trusted issuers, and adds no gateway authorizer unless asked', () => {
    const { template, synthError } = synth(oidcContext);
    expect(synthError).toBeUndefined();
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
    const bearerHandlers = new Set(['not-found', ...ROUTE_LIST.filter((r) => r.auth === 'bearer' && !r.localOnly).map((r) => r.handler)]);
    const withIssuers = functions.filter((f) => f.Properties.Environment.Variables.FLEETOPS_OIDC_ISSUERS);
    expect(withIssuers).toHaveLength(bearerHandlers.size);
    expect(JSON.parse(withIssuers[0].Properties.Environment.Variables.FLEETOPS_OIDC_ISSUERS)).toEqual([
      expect.objectContaining({
        issuer: ISSUER,
        audience: ['client-123'],
        rolesClaim: 'cognito:groups',
        roleMap: { 'platform-admins': 'admin', sre: 'operator' },
      }),
    ]);
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  it('puts an API Gateway JWT authorizer on the human-only routes with oidcGatewayAuthorizer=true; alert, credential and whoami routes keep Lambda-side checks', () => {
    const { template, synthError } = synth({ ...oidcContext, oidcGatewayAuthorizer: 'true' });
    expect(synthError).toBeUndefined();
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: ISSUER, Audience: ['client-123'] },
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    const byKey = new Map(routes.map((r) => [r.Properties.RouteKey, r.Properties]));
    for (const route of ROUTE_LIST.filter((r) => !r.localOnly)) {
      const properties = byKey.get(`${route.method} ${route.path}`)!;
      const gated = route.auth === 'bearer' && !machineCredentialRoute(route);
      expect(properties.AuthorizationType ?? 'NONE', route.id).toBe(gated ? 'JWT' : 'NONE');
    }
    expect(byKey.get('POST /v1/alerts/alertmanager')?.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(byKey.get('POST /v1/healing/{id}/approve')?.AuthorizationType).toBe('JWT');
  });

  it('fails the synth on a malformed issuer setting instead of at the first sign-in', () => {
    expect(() => synth({ oidcIssuers: '[{"issuer":"https://id.example"}]' })).toThrow(/audience/);
    expect(() => synth({ oidcIssuer: ISSUER })).toThrow(/oidcAudience/);
    expect(() => synth({ oidcGatewayAuthorizer: 'true' })).toThrow(/needs an OIDC issuer/);
  });
});
