import { describe, expect, it, vi } from 'vitest';
import { ClientPool } from '../../../functions/adapters/kube/client-pool.ts';

function setup(idleMs?: number) {
  let now = 1_000_000;
  const disposed: string[] = [];
  const pool = new ClientPool<{ id: string }>({ idleMs, now: () => now, dispose: (c) => void disposed.push(c.id) });
  let built = 0;
  const build = vi.fn(async () => ({ id: `client-${++built}` }));
  return { pool, build, disposed, advance: (ms: number) => (now += ms) };
}

describe('ClientPool', () => {
  it('reuses one client per cluster and version', async () => {
    const { pool, build } = setup();
    const a = await pool.get('c1', 'v1', build);
    const b = await pool.get('c1', 'v1', build);
    expect(b).toBe(a);
    expect(build).toHaveBeenCalledTimes(1);
    const other = await pool.get('c2', 'v1', build);
    expect(other).not.toBe(a);
    expect(build).toHaveBeenCalledTimes(2);
    expect(pool.size).toBe(2);
  });

  it('rebuilds when the credentials version changes and disposes the old client', async () => {
    const { pool, build, disposed } = setup();
    const a = await pool.get('c1', 'v1', build);
    const b = await pool.get('c1', 'v2', build);
    expect(b).not.toBe(a);
    expect(build).toHaveBeenCalledTimes(2);
    await Promise.resolve();
    await Promise.resolve();
    expect(disposed).toEqual([a.id]);
    expect(await pool.get('c1', 'v2', build)).toBe(b);
  });

  it('evicts after the idle time (default 10 minutes) on an injected clock', async () => {
    const { pool, build, advance } = setup();
    const a = await pool.get('c1', 'v1', build);
    advance(9 * 60_000);
    expect(await pool.get('c1', 'v1', build)).toBe(a); // use refreshes the idle timer
    advance(9 * 60_000);
    expect(await pool.get('c1', 'v1', build)).toBe(a);
    advance(10 * 60_000 + 1);
    pool.sweep();
    expect(pool.has('c1')).toBe(false);
    const b = await pool.get('c1', 'v1', build);
    expect(b).not.toBe(a);
    expect(build).toHaveBeenCalledTimes(2);
  });

  it('honours a custom idle time and sweeps other clusters lazily', async () => {
    const { pool, build, advance } = setup(1000);
    await pool.get('c1', 'v1', build);
    advance(1001);
    await pool.get('c2', 'v1', build);
    expect(pool.has('c1')).toBe(false);
    expect(pool.has('c2')).toBe(true);
  });

  it('builds exactly one client for concurrent first requests', async () => {
    const { pool } = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const build = vi.fn(async () => {
      await gate;
      return { id: 'slow' };
    });
    const all = Promise.all(Array.from({ length: 50 }, () => pool.get('c1', 'v1', build)));
    release();
    const clients = await all;
    expect(build).toHaveBeenCalledTimes(1);
    expect(new Set(clients).size).toBe(1);
  });

  it('does not cache a failed build', async () => {
    const { pool } = setup();
    const failing = vi.fn(async () => {
      throw new Error('boom');
    });
    const results = await Promise.allSettled([pool.get('c1', 'v1', failing), pool.get('c1', 'v1', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(failing).toHaveBeenCalledTimes(1);
    await Promise.resolve();
    expect(pool.has('c1')).toBe(false);
    const ok = await pool.get('c1', 'v1', async () => ({ id: 'ok' }));
    expect(ok.id).toBe('ok');
  });

  it('evict() forgets a cluster', async () => {
    const { pool, build } = setup();
    await pool.get('c1', 'v1', build);
    pool.evict('c1');
    expect(pool.has('c1')).toBe(false);
  });
});
