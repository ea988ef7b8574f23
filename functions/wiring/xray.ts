import { XRayServiceGraphReader } from '../adapters/aws/xray/service-graph-reader.ts';
import type { ClusterRecord, XRaySettings } from '../core/clusters/cluster-record.ts';
import type { ServiceGraphReader } from '../core/mesh/xray-edges.ts';
import { wiring } from '../wiring.ts';

let readers: { base: unknown; byKey: Map<string, XRayServiceGraphReader> } | undefined;

/** The X-Ray service-graph reader of a cluster that opted in (`xray`), one per region and group per process. */
export function xrayGraphReaderFor(record: ClusterRecord & { xray: XRaySettings }): ServiceGraphReader {
  const base = wiring();
  if (readers?.base !== base) readers = { base, byKey: new Map() };
  const region = record.xray.region ?? base.config.AWS_REGION;
  const key = `${region}|${record.xray.groupName ?? ''}`;
  let reader = readers.byKey.get(key);
  if (!reader) {
    reader = new XRayServiceGraphReader({
      region,
      ...(base.config.FLEETOPS_XRAY_ENDPOINT ? { endpoint: base.config.FLEETOPS_XRAY_ENDPOINT } : {}),
      ...(record.xray.groupName ? { groupName: record.xray.groupName } : {}),
    });
    readers.byKey.set(key, reader);
  }
  const chosen = reader;
  return (window) => chosen.read(window);
}
