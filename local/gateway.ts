import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routeKey, type RouteDefinition } from '../functions/http/route-definition.ts';

/** API Gateway HTTP API's own payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES = /^(application\/(json|yaml|x-yaml|x-www-form-urlencoded|.*\+json)|text\/)/i;

export type RouteInvoker = (handler: string, event: APIGatewayProxyEventV2) => Promise<unknown>;

interface CompiledRoute {
  route: RouteDefinition;
  regex: RegExp;
  paramNames: string[];
  /** Static segments win over parameters, as in API Gateway. */
  specificity: number;
}

function compile(route: RouteDefinition): CompiledRoute {
  const paramNames: string[] = [];
  const segments = route.path.split('/').filter(Boolean);
  const source = segments
    .map((segment) => {
      const param = /^\{(\w+)(\+)?\}$/.exec(segment);
      if (!param) return '/' + segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(param[1]);
      return param[2] ? '/(.+)' : '/([^/]+)';
    })
    .join('');
  return { route, regex: new RegExp(`^${source || '/'}$`), paramNames, specificity: segments.filter((s) => !s.startsWith('{')).length };
}

export function matchRoute(routes: CompiledRoute[], method: string, path: string) {
  let best: { route: RouteDefinition; params: Record<string, string>; specificity: number } | undefined;
  for (const candidate of routes) {
    if (candidate.route.method !== method) continue;
    const match = candidate.regex.exec(path);
    if (!match) continue;
    if (best && best.specificity >= candidate.specificity) continue;
    const params: Record<string, string> = {};
    candidate.paramNames.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1]);
    });
    best = { route: candidate.route, params, specificity: candidate.specificity };
  }
  return best;
}

function joinHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function queryParameters(search: URLSearchParams): Record<string, string> | undefined {
  const result: Record<string, string> = {};
  for (const key of new Set(search.keys())) result[key] = search.getAll(key).join(',');
  return Object.keys(result).length ? result : undefined;
}

/** Builds the API Gateway HTTP API payload v2 event for one request. */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  key: string,
  pathParameters: Record<string, string> | undefined,
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers = joinHeaders(request);
  const textual = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: request.headers.cookie?.split(/;\s*/),
    headers,
    queryStringParameters: queryParameters(url.searchParams),
    pathParameters: pathParameters && Object.keys(pathParameters).length ? pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : textual ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !textual,
  };
}

function writeResult(response: ServerResponse, result: unknown): void {
  // A handler may return a plain object or string: API Gateway v2 then answers 200 with JSON.
  const structured =
    result && typeof result === 'object' && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result ?? null) };
  const body = structured.body === undefined ? undefined : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(structured.statusCode ?? 200, {
    ...(structured.headers as Record<string, string>),
    ...(body ? { 'content-length': String(body.length) } : {}),
  });
  response.end(body);
}

function writeError(response: ServerResponse, status: number, code: string, message: string): void {
  writeResult(response, { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code, message } }) });
}

/**
 * The local API Gateway: routes from the route table, payload v2 events, the same handler
 * modules. Unmatched requests go to the `$default` handler, as in the deployed API.
 */
export function createGateway(options: {
  routes: RouteDefinition[];
  invoke: RouteInvoker;
  defaultHandler: string;
  onError?: (error: unknown) => void;
}): Server {
  const compiled = options.routes.map(compile);
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      if (tooLarge) return writeError(response, 413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${MAX_PAYLOAD_BYTES} bytes`);
      let event: APIGatewayProxyEventV2;
      let match: ReturnType<typeof matchRoute>;
      try {
        const url = new URL(request.url ?? '/', 'http://localhost');
        match = matchRoute(compiled, request.method ?? 'GET', url.pathname);
        event = toApiGatewayEvent(request, Buffer.concat(chunks), match ? routeKey(match.route) : '$default', match?.params);
      } catch {
        // A malformed request line or percent-encoding: API Gateway answers 400 too.
        return writeError(response, 400, 'BAD_REQUEST', 'Malformed request URL');
      }
      options
        .invoke(match?.route.handler ?? options.defaultHandler, event)
        .then((result) => writeResult(response, result))
        .catch((error: unknown) => {
          // An uncaught handler error is a 500 in API Gateway too; never leak its message.
          options.onError?.(error);
          writeError(response, 500, 'INTERNAL_ERROR', 'Internal error');
        });
    });
    request.on('error', () => response.destroy());
  });
}
