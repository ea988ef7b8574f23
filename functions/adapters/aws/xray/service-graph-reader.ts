import { GetServiceGraphCommand, XRayClient, type Service, type XRayClientConfig } from '@aws-sdk/client-xray';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { UpstreamError } from '../../../core/errors.ts';
import type { TimeWindow, XRayServiceGraph } from '../../../core/mesh/xray-edges.ts';

export interface XRayServiceGraphReaderOptions {
  region: string;
  /** Endpoint override (tests: a local server speaking X-Ray's REST-JSON). */
  endpoint?: string;
  credentials?: XRayClientConfig['credentials'];
  /** Only the services of this X-Ray group (its filter expression picks one cluster's traces). */
  groupName?: string;
  /** A graph larger than this many pages is refused rather than read in part: missing edges would read as healthy ones. */
  maxPages?: number;
  client?: Pick<XRayClient, 'send'>;
}

/** GetServiceGraph, every page of one window, services merged by ReferenceId. */
export class XRayServiceGraphReader {
  readonly #client: Pick<XRayClient, 'send'>;
  readonly #groupName: string | undefined;
  readonly #maxPages: number;

  constructor(options: XRayServiceGraphReaderOptions) {
    this.#groupName = options.groupName;
    this.#maxPages = options.maxPages ?? 20;
    this.#client =
      options.client ??
      new XRayClient({
        region: options.region,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        requestHandler: new NodeHttpHandler({ connectionTimeout: 3000, requestTimeout: 8000 }),
      });
  }

  async read(window: TimeWindow): Promise<XRayServiceGraph> {
    const services = new Map<number, Service>();
    const unreferenced: Service[] = [];
    let startTime: Date | undefined;
    let endTime: Date | undefined;
    let nextToken: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= this.#maxPages) throw new UpstreamError(`X-Ray service graph has more than ${this.#maxPages} pages`, 'XRAY_GRAPH_TOO_LARGE');
      const out = await this.#client.send(
        new GetServiceGraphCommand({
          StartTime: window.start,
          EndTime: window.end,
          ...(this.#groupName ? { GroupName: this.#groupName } : {}),
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      startTime ??= out.StartTime;
      endTime ??= out.EndTime;
      for (const service of out.Services ?? []) {
        if (service.ReferenceId === undefined) unreferenced.push(service);
        else services.set(service.ReferenceId, mergeEdges(services.get(service.ReferenceId), service));
      }
      if (!out.NextToken || out.NextToken === nextToken) break;
      nextToken = out.NextToken;
    }
    return {
      StartTime: startTime ?? window.start,
      EndTime: endTime ?? window.end,
      Services: [...services.values(), ...unreferenced],
    };
  }
}

/** A service repeated on a later page keeps the edges it already had (counting one twice would double its calls). */
function mergeEdges(seen: Service | undefined, next: Service): Service {
  if (!seen) return next;
  const refs = new Set((seen.Edges ?? []).map((e) => e.ReferenceId));
  return { ...seen, Edges: [...(seen.Edges ?? []), ...(next.Edges ?? []).filter((e) => !refs.has(e.ReferenceId))] };
}
