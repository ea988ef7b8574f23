// meta.k8s.io/v1 Table rendering for `kubectl get` (Accept: application/json;as=Table).
import type { ResourceDef } from './resources.ts';
import { humanAge, type Obj } from './util.ts';
import { selectorToString as selStr } from './selectors.ts';

interface Col {
  name: string;
  type: string;
  format?: string;
  description: string;
  priority: number;
}

const col = (name: string, type = 'string', priority = 0, format = ''): Col => ({ name, type, format, description: name, priority });
const NAME = col('Name', 'string', 0, 'name');
const AGE = col('Age');

function podCells(p: Obj): unknown[] {
  const cs: Obj[] = p.status?.containerStatuses ?? [];
  const total = (p.spec?.containers ?? []).length;
  const ready = cs.filter((c) => c.ready).length;
  const restarts = cs.reduce((a, c) => a + (c.restartCount ?? 0), 0);
  let status = p.status?.phase ?? 'Pending';
  const waiting = cs.find((c) => c.state?.waiting?.reason);
  if (waiting?.state?.waiting?.reason) status = waiting.state.waiting.reason;
  if (p.metadata.deletionTimestamp) status = 'Terminating';
  const lastRestart = cs
    .map((c) => c.lastState?.terminated?.finishedAt)
    .filter(Boolean)
    .sort()
    .pop();
  const restartsStr = lastRestart && restarts > 0 ? `${restarts} (${humanAge(lastRestart)} ago)` : String(restarts);
  return [
    p.metadata.name,
    `${ready}/${total}`,
    status,
    restartsStr,
    humanAge(p.metadata.creationTimestamp),
    p.status?.podIP ?? '<none>',
    p.spec?.nodeName ?? '<none>',
    '<none>',
    '<none>',
  ];
}

const containersOf = (tmpl: Obj | undefined): Obj[] => tmpl?.spec?.containers ?? [];

function def(kind: string): { cols: Col[]; cells: (o: Obj) => unknown[] } {
  switch (kind) {
    case 'Pod':
      return {
        cols: [
          NAME,
          col('Ready'),
          col('Status'),
          col('Restarts', 'string'),
          AGE,
          col('IP', 'string', 1),
          col('Node', 'string', 1),
          col('Nominated Node', 'string', 1),
          col('Readiness Gates', 'string', 1),
        ],
        cells: podCells,
      };
    case 'Deployment':
      return {
        cols: [
          NAME,
          col('Ready'),
          col('Up-to-date', 'integer'),
          col('Available', 'integer'),
          AGE,
          col('Containers', 'string', 1),
          col('Images', 'string', 1),
          col('Selector', 'string', 1),
        ],
        cells: (d) => [
          d.metadata.name,
          `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
          d.status?.updatedReplicas ?? 0,
          d.status?.availableReplicas ?? 0,
          humanAge(d.metadata.creationTimestamp),
          containersOf(d.spec?.template)
            .map((c) => c.name)
            .join(','),
          containersOf(d.spec?.template)
            .map((c) => c.image)
            .join(','),
          selStr(d.spec?.selector),
        ],
      };
    case 'ReplicaSet':
      return {
        cols: [
          NAME,
          col('Desired', 'integer'),
          col('Current', 'integer'),
          col('Ready', 'integer'),
          AGE,
          col('Containers', 'string', 1),
          col('Images', 'string', 1),
          col('Selector', 'string', 1),
        ],
        cells: (r) => [
          r.metadata.name,
          r.spec?.replicas ?? 0,
          r.status?.replicas ?? 0,
          r.status?.readyReplicas ?? 0,
          humanAge(r.metadata.creationTimestamp),
          containersOf(r.spec?.template)
            .map((c) => c.name)
            .join(','),
          containersOf(r.spec?.template)
            .map((c) => c.image)
            .join(','),
          selStr(r.spec?.selector),
        ],
      };
    case 'StatefulSet':
      return {
        cols: [NAME, col('Ready'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1)],
        cells: (s) => [
          s.metadata.name,
          `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`,
          humanAge(s.metadata.creationTimestamp),
          containersOf(s.spec?.template)
            .map((c) => c.name)
            .join(','),
          containersOf(s.spec?.template)
            .map((c) => c.image)
            .join(','),
        ],
      };
    case 'Service':
      return {
        cols: [NAME, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), AGE, col('Selector', 'string', 1)],
        cells: (s) => [
          s.metadata.name,
          s.spec?.type ?? 'ClusterIP',
          s.spec?.clusterIP ?? '<none>',
          '<none>',
          (s.spec?.ports ?? []).map((p: Obj) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || '<none>',
          humanAge(s.metadata.creationTimestamp),
          Object.entries(s.spec?.selector ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(',') || '<none>',
        ],
      };
    case 'Endpoints':
      return {
        cols: [NAME, col('Endpoints'), AGE],
        cells: (e) => {
          const eps = (e.subsets ?? []).flatMap((s: Obj) =>
            (s.addresses ?? []).flatMap((a: Obj) => (s.ports ?? [{}]).map((p: Obj) => (p.port ? `${a.ip}:${p.port}` : a.ip))),
          );
          return [
            e.metadata.name,
            eps.length ? eps.slice(0, 3).join(',') + (eps.length > 3 ? ` + ${eps.length - 3} more...` : '') : '<none>',
            humanAge(e.metadata.creationTimestamp),
          ];
        },
      };
    case 'Node':
      return {
        cols: [
          NAME,
          col('Status'),
          col('Roles'),
          AGE,
          col('Version'),
          col('Internal-IP', 'string', 1),
          col('External-IP', 'string', 1),
          col('OS-Image', 'string', 1),
          col('Kernel-Version', 'string', 1),
          col('Container-Runtime', 'string', 1),
        ],
        cells: (n) => {
          const r = (n.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
          const status = r?.status === 'True' ? 'Ready' : 'NotReady';
          const roles =
            Object.keys(n.metadata.labels ?? {})
              .filter((k) => k.startsWith('node-role.kubernetes.io/'))
              .map((k) => k.split('/')[1])
              .join(',') || '<none>';
          const ip = (n.status?.addresses ?? []).find((a: Obj) => a.type === 'InternalIP')?.address ?? '<none>';
          const ni = n.status?.nodeInfo ?? {};
          return [
            n.metadata.name,
            n.spec?.unschedulable ? `${status},SchedulingDisabled` : status,
            roles,
            humanAge(n.metadata.creationTimestamp),
            ni.kubeletVersion ?? '',
            ip,
            '<none>',
            ni.osImage ?? '',
            ni.kernelVersion ?? '',
            ni.containerRuntimeVersion ?? '',
          ];
        },
      };
    case 'Namespace':
      return { cols: [NAME, col('Status'), AGE], cells: (n) => [n.metadata.name, n.status?.phase ?? 'Active', humanAge(n.metadata.creationTimestamp)] };
    case 'ConfigMap':
      return {
        cols: [NAME, col('Data', 'integer'), AGE],
        cells: (c) => [c.metadata.name, Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, humanAge(c.metadata.creationTimestamp)],
      };
    case 'PersistentVolumeClaim':
      return {
        cols: [
          NAME,
          col('Status'),
          col('Volume'),
          col('Capacity'),
          col('Access Modes'),
          col('StorageClass'),
          col('VolumeAttributesClass'),
          AGE,
          col('VolumeMode', 'string', 1),
        ],
        cells: (p) => [
          p.metadata.name,
          p.status?.phase ?? 'Pending',
          p.spec?.volumeName ?? '',
          p.status?.capacity?.storage ?? '',
          (p.status?.accessModes ?? [])
            .map((m: string) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' })[m] ?? m)
            .join(','),
          p.spec?.storageClassName ?? '',
          '<unset>',
          humanAge(p.metadata.creationTimestamp),
          p.spec?.volumeMode ?? 'Filesystem',
        ],
      };
    case 'Event':
      return {
        cols: [
          col('Last Seen'),
          col('Type'),
          col('Reason'),
          col('Object'),
          col('Message'),
          col('Subobject', 'string', 1),
          col('Source', 'string', 1),
          col('First Seen', 'string', 1),
          col('Count', 'string', 1),
          col('Name', 'string', 1, 'name'),
        ],
        cells: (e) => [
          humanAge(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp),
          e.type,
          e.reason,
          `${String(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name}`,
          e.message,
          e.involvedObject?.fieldPath ?? '',
          [e.source?.component, e.source?.host].filter(Boolean).join(', '),
          humanAge(e.firstTimestamp ?? e.metadata.creationTimestamp),
          e.count ?? 1,
          e.metadata.name,
        ],
      };
    default:
      return { cols: [NAME, AGE], cells: (o) => [o.metadata.name, humanAge(o.metadata.creationTimestamp)] };
  }
}

export function toTable(r: ResourceDef, items: Obj[], includeObject: string, resourceVersion: string): Obj {
  const d = def(r.kind);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: d.cols,
    rows: items.map((o) => ({
      cells: d.cells(o),
      object:
        includeObject === 'None'
          ? undefined
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
