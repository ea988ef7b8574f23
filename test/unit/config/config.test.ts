import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, observabilityConfig } from '../../../functions/config.ts';

const FUNCTIONS_DIR = join(import.meta.dirname, '../../../functions');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('one configuration', () => {
  it('only functions/config.ts reads process.env', () => {
    const files = sourceFiles(FUNCTIONS_DIR);
    expect(files.length).toBeGreaterThan(20);
    // The golden path's skeleton sources are another program's code, written out as text.
    const readers = files
      .filter((file) => !file.endsWith('golden-path-sources.ts'))
      .filter((file) => /process\s*\.\s*env|process\s*\[\s*['"]env['"]\s*\]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(FUNCTIONS_DIR, file));
    expect(readers).toEqual(['config.ts']);
  });

  it('parses feature settings from the environment it is given', () => {
    const config = loadConfig({
      FLEETOPS_PULL_NAMESPACES: ' shop, payments ,,',
      FLEETOPS_PULL_INTERVAL_SECONDS: '30',
      FLEETOPS_EMBEDDING_MODEL_ID: 'amazon.titan-embed-text-v2:0',
      FLEETOPS_PUBLIC_URL: '',
    });
    expect(config.pullNamespaces).toEqual(['shop', 'payments']);
    expect(config.FLEETOPS_PULL_INTERVAL_SECONDS).toBe(30);
    expect(config.FLEETOPS_PULL_BATCH_SIZE).toBe(10);
    expect(config.similarityThreshold).toBe(0.85);
    expect(config.FLEETOPS_PUBLIC_URL).toBeUndefined();
    expect(loadConfig({}).pullNamespaces).toEqual(['default']);
    expect(loadConfig({}).similarityThreshold).toBeUndefined();
    expect(loadConfig({ FLEETOPS_SIMILARITY_THRESHOLD: '0.7' }).similarityThreshold).toBe(0.7);
    expect(() => loadConfig({ FLEETOPS_PULL_BATCH_SIZE: 'ten' })).toThrow(/FLEETOPS_PULL_BATCH_SIZE/);
  });

  it('observability defaults do not depend on the test runner', () => {
    expect(observabilityConfig({ VITEST: 'true' })).toEqual({ serviceName: 'fleetops', logLevel: 'INFO', metricsNamespace: 'fleetops' });
    expect(observabilityConfig({ POWERTOOLS_LOG_LEVEL: 'SILENT' }).logLevel).toBe('SILENT');
  });
  it('Argo CD target: https only, a token or its secret, the clusters it manages', () => {
    expect(loadConfig({}).argocd).toBeUndefined();
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    expect(
      loadConfig({
        FLEETOPS_ARGOCD_URL: 'https://argocd.example.com',
        FLEETOPS_ARGOCD_TOKEN: 't0k3n',
        FLEETOPS_ARGOCD_CLUSTERS: 'prod, staging',
        FLEETOPS_ARGOCD_CA_DATA: ca,
      }).argocd,
    ).toEqual({
      url: 'https://argocd.example.com',
      token: 't0k3n',
      caPem: expect.stringContaining('BEGIN CERTIFICATE'),
      clusters: ['prod', 'staging'],
      timeoutMs: 10_000,
    });
    expect(loadConfig({ FLEETOPS_ARGOCD_URL: 'https://argocd.example.com', FLEETOPS_ARGOCD_TOKEN_SECRET_ARN: 'arn:x' }).argocd).toMatchObject({
      tokenSecretArn: 'arn:x',
      clusters: [],
    });
    expect(() => loadConfig({ FLEETOPS_ARGOCD_URL: 'http://argocd.example.com', FLEETOPS_ARGOCD_TOKEN: 't' })).toThrow(/must be https/);
    expect(() => loadConfig({ FLEETOPS_ARGOCD_URL: 'https://argocd.example.com' })).toThrow(/needs FLEETOPS_ARGOCD_TOKEN/);
    expect(() => loadConfig({ FLEETOPS_ARGOCD_URL: 'https://argocd.example.com', FLEETOPS_ARGOCD_TOKEN: 't', FLEETOPS_ARGOCD_CA_DATA: 'bm9wZQ==' })).toThrow(
      /CA_DATA/,
    );
    // The error never carries the token.
    try {
      loadConfig({ FLEETOPS_ARGOCD_URL: 'http://argocd.example.com', FLEETOPS_ARGOCD_TOKEN: 'super-secret-token' });
    } catch (error) {
      expect((error as Error).message).not.toContain('super-secret-token');
    }
  });
});
