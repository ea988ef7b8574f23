/**
 * Which service a pod belongs to, from its name, when no label says so.
 * Kubernetes names controller-made pods `<deployment>-<pod-template-hash>-<suffix>` (Deployment),
 * `<statefulset>-<ordinal>` (StatefulSet) and `<daemonset>-<suffix>` (DaemonSet / bare ReplicaSet).
 * Hashes and suffixes use the vowel-free alphabet `bcdfghjklmnpqrstvwxz2456789`, which keeps
 * `node-exporter-x2k9p` from being read as deployment `node`.
 */

const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{5,10}-${SAFE}{5}$`);
const STATEFUL_POD = /^(.+)-\d+$/;
const SUFFIXED_POD = new RegExp(`^(.+)-${SAFE}{5}$`);

export interface PodServiceOptions {
  /** Known services: a pod named `<service>-…` maps to the longest matching one. */
  services?: readonly string[];
  /** Explicit pod → service assignments; win over everything else. */
  podToService?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
}

function explicit(map: PodServiceOptions['podToService'], pod: string): string | undefined {
  if (!map) return undefined;
  if (map instanceof Map) return map.get(pod);
  return Object.prototype.hasOwnProperty.call(map, pod) ? (map as Record<string, string>)[pod] : undefined;
}

/** The service of a pod, or undefined when neither the map, the known services nor the naming convention tell. */
export function serviceOfPod(pod: string, opts: PodServiceOptions = {}): string | undefined {
  const fromMap = explicit(opts.podToService, pod);
  if (fromMap !== undefined) return fromMap;
  if (opts.services?.length) {
    let best: string | undefined;
    for (const s of opts.services) if (pod.startsWith(`${s}-`) && (!best || s.length > best.length)) best = s;
    return best;
  }
  return DEPLOYMENT_POD.exec(pod)?.[1] ?? STATEFUL_POD.exec(pod)?.[1] ?? SUFFIXED_POD.exec(pod)?.[1];
}
