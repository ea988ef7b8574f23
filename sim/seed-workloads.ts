// Initial cluster contents: namespaces, 3 nodes, and the `shop` namespace's four deployments with Services.
import type { Cluster } from './cluster.ts';
import { applyDefaults } from './admission.ts';
import { RESOURCES } from './resources.ts';
import { nowIso, type Obj } from './util.ts';

export const SHOP_SERVICES = ['frontend', 'user-service', 'order-service', 'payment-service'];
export const K8S_VERSION = 'v1.30.2-sim';

const defOf = (kind: string) => RESOURCES.find((r) => r.kind === kind && r.group !== 'metrics.k8s.io')!;

function put(c: Cluster, resource: string, kind: string, obj: Obj): void {
  applyDefaults(defOf(kind), obj);
  c.store.create(resource, obj);
}

export function seedWorkloads(c: Cluster, caPem: string, replicas = 2): void {
  const longAgo = nowIso(Date.now() - 3 * 24 * 3600 * 1000);
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'shop']) {
    put(c, 'namespaces', 'Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, creationTimestamp: longAgo } });
    put(c, 'configmaps', 'ConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt', namespace: ns, creationTimestamp: longAgo },
      data: { 'ca.crt': caPem },
    });
  }
  put(c, 'services', 'Service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' }, creationTimestamp: longAgo },
    spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
  });
  const zones = ['a', 'b', 'c'];
  for (let i = 1; i <= 3; i++) {
    const name = `${c.name}-worker-${i}`;
    const ip = `10.0.${i}.${10 + i}`;
    const now = nowIso();
    c.store.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        creationTimestamp: longAgo,
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'node.kubernetes.io/instance-type': 'm5.xlarge',
          'topology.kubernetes.io/region': 'us-east-1',
          // Capacity type as Karpenter labels it: cost allocation prices spot below on-demand.
          'karpenter.sh/capacity-type': i === 3 ? 'spot' : 'on-demand',
          'topology.kubernetes.io/zone': `us-east-1${zones[i - 1]}`,
        },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
      },
      spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`], providerID: `sim://${c.name}/${name}` },
      status: {
        capacity: { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' },
        allocatable: { cpu: '3920m', memory: '15Gi', pods: '110', 'ephemeral-storage': '95Gi' },
        conditions: [
          {
            type: 'MemoryPressure',
            status: 'False',
            lastHeartbeatTime: now,
            lastTransitionTime: longAgo,
            reason: 'KubeletHasSufficientMemory',
            message: 'kubelet has sufficient memory available',
          },
          {
            type: 'DiskPressure',
            status: 'False',
            lastHeartbeatTime: now,
            lastTransitionTime: longAgo,
            reason: 'KubeletHasNoDiskPressure',
            message: 'kubelet has no disk pressure',
          },
          {
            type: 'PIDPressure',
            status: 'False',
            lastHeartbeatTime: now,
            lastTransitionTime: longAgo,
            reason: 'KubeletHasSufficientPID',
            message: 'kubelet has sufficient PID available',
          },
          {
            type: 'Ready',
            status: 'True',
            lastHeartbeatTime: now,
            lastTransitionTime: longAgo,
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
          },
        ],
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: `${c.name}${i}`.padEnd(32, '0').slice(0, 32),
          systemUUID: `ec2${i}0000-0000-0000-0000-00000000000${i}`,
          bootID: `boot-${c.name}-${i}`,
          kernelVersion: '6.1.94-99.176.amzn2023.x86_64',
          osImage: 'Amazon Linux 2023.5.20240624',
          containerRuntimeVersion: 'containerd://1.7.20',
          kubeletVersion: K8S_VERSION,
          kubeProxyVersion: K8S_VERSION,
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    });
  }
  put(c, 'configmaps', 'ConfigMap', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'shop-settings', namespace: 'shop', labels: { 'app.kubernetes.io/part-of': 'shop' }, creationTimestamp: longAgo },
    data: { LOG_LEVEL: 'info', CURRENCY: 'USD' },
  });
  for (const app of SHOP_SERVICES) {
    const labels = { app, 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'shop' };
    put(c, 'deployments', 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace: 'shop', labels, creationTimestamp: longAgo },
      spec: {
        replicas,
        selector: { matchLabels: { app } },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: app,
                image: `ghcr.io/fleetops-sim/${app}:1.4.2`,
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                env: [{ name: 'SERVICE_NAME', value: app }],
                envFrom: [{ configMapRef: { name: 'shop-settings' } }],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
                readinessProbe: {
                  httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
                  periodSeconds: 5,
                  timeoutSeconds: 1,
                  successThreshold: 1,
                  failureThreshold: 3,
                },
                livenessProbe: {
                  httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
                  periodSeconds: 10,
                  timeoutSeconds: 1,
                  successThreshold: 1,
                  failureThreshold: 3,
                },
              },
            ],
          },
        },
      },
    });
    put(c, 'services', 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, namespace: 'shop', labels, creationTimestamp: longAgo },
      spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    });
  }
}
