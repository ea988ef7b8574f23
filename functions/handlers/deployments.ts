import { canonicalJson, deploymentIdFor, requestHash } from '../core/deploy/identity.ts';
import { checkChart } from '../core/deploy/chart.ts';
import { publicDeployment } from '../core/deploy/public-view.ts';
import { checkValues } from '../core/deploy/values.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { DEPLOYMENTS_ROUTES } from '../definitions/routes/deployments.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json, noContent } from '../http/responses.ts';
import { wiring } from '../wiring.ts';
import { deployRequests } from '../wiring/deploy-api.ts';
import { deploymentStore } from '../wiring/deployment-store.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

export const handler = httpHandler(DEPLOYMENTS_ROUTES, {
  createDeployment: async ({ body, headers, identity }) => {
    const key = headers['idempotency-key'];
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
      throw new ValidationError('Idempotency-Key: 1 to 128 printable ASCII characters', undefined, 'INVALID_IDEMPOTENCY_KEY');
    // Without a key, the request itself is the key: an identical retry is the same deployment.
    const id = deploymentIdFor('api', key ?? canonicalJson(body));
    const { values, ...spec } = body;
    // With a key, the body it was first used with is remembered: the same key with another body is a 422.
    // Waves that reach prod clusters need an approver (checked in deployRequests, as for every API deploy).
    const result = await deployRequests().start(identity, {
      id,
      trigger: 'api',
      ...spec,
      values,
      ...(key !== undefined ? { requestHash: requestHash(body) } : {}),
    });
    return json(202, { id: result.id });
  },

  listDeployments: async ({ query }) =>
    json(200, { items: (await deploymentStore().list({ status: query.status, limit: query.limit })).map(publicDeployment) }),

  getDeployment: async ({ params }) => {
    const view = await deploymentStore().get(params.id);
    if (!view) throw new NotFoundError(`Deployment ${params.id} not found`);
    return json(200, publicDeployment(view));
  },

  putDeployTrigger: async ({ params, body }) => {
    const policy = { ...wiring().addressPolicy, allowLocalCharts: wiring().config.allowLocalCharts };
    const trigger = { ...body, chart: checkChart(body.chart, policy), values: checkValues(body.values) };
    await deploymentStore().putTrigger(params.id, trigger);
    return json(200, { id: params.id, ...trigger });
  },

  listDeployTriggers: async () => json(200, { items: await deploymentStore().listTriggers() }),

  deleteDeployTrigger: async ({ params }) => {
    if (!(await deploymentStore().deleteTrigger(params.id))) throw new NotFoundError(`Deploy trigger ${params.id} not found`);
    return noContent();
  },
});
