/** Test certificates (Node generates the keys, node-forge signs) and kubeconfig builders. */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { stringify } from 'yaml';

export interface TestPki {
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

function keyPair(): { privatePem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePub: forge.pki.rsa.PublicKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const forgePub = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return { privatePem, forgeKey, forgePub };
}

let serial = 1;
function cert(opts: {
  cn: string;
  pub: forge.pki.rsa.PublicKey;
  signer: forge.pki.rsa.PrivateKey;
  issuer?: forge.pki.Certificate;
  ca?: boolean;
  altNames?: Array<{ type: number; value?: string; ip?: string }>;
}): forge.pki.Certificate {
  const c = forge.pki.createCertificate();
  c.publicKey = opts.pub;
  c.serialNumber = (serial++).toString(16).padStart(2, '0');
  c.validity.notBefore = new Date(Date.now() - 60_000);
  c.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const attrs = [{ name: 'commonName', value: opts.cn }];
  c.setSubject(attrs);
  c.setIssuer(opts.issuer ? opts.issuer.subject.attributes : attrs);
  const ext: object[] = [{ name: 'basicConstraints', cA: !!opts.ca }];
  if (opts.ca) ext.push({ name: 'keyUsage', keyCertSign: true, digitalSignature: true, cRLSign: true });
  if (opts.altNames) ext.push({ name: 'subjectAltName', altNames: opts.altNames });
  c.setExtensions(ext);
  c.sign(opts.signer, forge.md.sha256.create());
  return c;
}

export function makePki(): TestPki {
  const ca = keyPair();
  const caCert = cert({ cn: 'test-ca', pub: ca.forgePub, signer: ca.forgeKey, ca: true });
  const server = keyPair();
  const serverCert = cert({
    cn: 'localhost',
    pub: server.forgePub,
    signer: ca.forgeKey,
    issuer: caCert,
    altNames: [
      { type: 2, value: 'localhost' },
      { type: 7, ip: '127.0.0.1' },
    ],
  });
  const client = keyPair();
  const clientCert = cert({ cn: 'admin', pub: client.forgePub, signer: ca.forgeKey, issuer: caCert });
  return {
    caCertPem: forge.pki.certificateToPem(caCert),
    caKeyPem: ca.privatePem,
    serverCertPem: forge.pki.certificateToPem(serverCert),
    serverKeyPem: server.privatePem,
    clientCertPem: forge.pki.certificateToPem(clientCert),
    clientKeyPem: client.privatePem,
  };
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

let cached: TestPki | undefined;
export function pki(): TestPki {
  cached ??= makePki();
  return cached;
}

export interface KubeconfigParts {
  server?: string;
  token?: string;
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown>;
  extraRoot?: Record<string, unknown>;
}

/** A plain object kubeconfig with one context `main` (cluster `c1`, user `u1`). */
export function kubeconfigObject(parts: KubeconfigParts = {}): Record<string, unknown> {
  const p = pki();
  return {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'main',
    clusters: [
      {
        name: 'c1',
        cluster: parts.cluster ?? { server: parts.server ?? 'https://k8s.example.com:6443', 'certificate-authority-data': b64(p.caCertPem) },
      },
    ],
    contexts: [{ name: 'main', context: { cluster: 'c1', user: 'u1', namespace: 'default' } }],
    users: [{ name: 'u1', user: parts.user ?? { token: parts.token ?? 'sha256~abc.DEF-123_xyz' } }],
    ...parts.extraRoot,
  };
}

export function kubeconfigYaml(parts: KubeconfigParts = {}): string {
  return stringify(kubeconfigObject(parts));
}

export function clusterWith(extra: Record<string, unknown>): Record<string, unknown> {
  return { server: 'https://k8s.example.com:6443', 'certificate-authority-data': b64(pki().caCertPem), ...extra };
}
