import { describe, expect, it } from 'vitest';
import { parseQuantity, tryParseQuantity } from '../../../functions/core/metrics/quantity.ts';
import { serviceOfPod } from '../../../functions/core/metrics/pod-service.ts';
import { ValidationError } from '../../../functions/core/errors.ts';

describe('parseQuantity', () => {
  it.each([
    ['250m', 0.25],
    ['1', 1],
    ['1.5', 1.5],
    ['123456n', 0.000123456],
    ['2500u', 0.0025],
    ['200Mi', 200 * 1024 ** 2],
    ['1Gi', 1024 ** 3],
    ['128Ki', 128 * 1024],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['500k', 500_000],
    ['2M', 2_000_000],
    ['3G', 3e9],
    ['1Ti', 1024 ** 4],
    ['.5', 0.5],
    ['0', 0],
    ['+2', 2],
    ['-1', -1],
    [' 100Mi ', 100 * 1024 ** 2],
  ])('%s → %d', (q, expected) => {
    expect(parseQuantity(q)).toBeCloseTo(expected, 12);
  });

  it('passes finite numbers through', () => {
    expect(parseQuantity(3)).toBe(3);
  });

  it.each(['', 'abc', '1Zi', '1mi', '1.2.3', 'Mi', '1 Gi', '1e', 'NaN', 'Infinity'])('rejects %j', (q) => {
    expect(() => parseQuantity(q)).toThrow(ValidationError);
    expect(tryParseQuantity(q)).toBeUndefined();
  });
});

describe('serviceOfPod', () => {
  it('reads the deployment from <deployment>-<hash>-<suffix>', () => {
    expect(serviceOfPod('payment-service-7d4f8b9c6d-x2k9p')).toBe('payment-service');
    expect(serviceOfPod('frontend-5c8d7b9f4-qz7wd')).toBe('frontend');
  });

  it('reads statefulset and daemonset pods, and does not mistake words for hashes', () => {
    expect(serviceOfPod('redis-0')).toBe('redis');
    expect(serviceOfPod('node-exporter-x2k9p')).toBe('node-exporter');
    expect(serviceOfPod('standalone')).toBeUndefined();
  });

  it('prefers the longest known service, and an explicit map over everything', () => {
    const services = ['order', 'order-service'];
    expect(serviceOfPod('order-service-abc-def', { services })).toBe('order-service');
    expect(serviceOfPod('order-7d4f8-x2k9p', { services })).toBe('order');
    expect(serviceOfPod('other-7d4f8-x2k9p', { services })).toBeUndefined();
    expect(serviceOfPod('weird-pod', { podToService: { 'weird-pod': 'checkout' } })).toBe('checkout');
    expect(serviceOfPod('weird-pod', { podToService: new Map([['weird-pod', 'cart']]) })).toBe('cart');
  });
});
