import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.ts';
import { checkResolvedAddress, checkServerAddress, parseLegacyIPv4 } from '../../../functions/core/clusters/address-policy.ts';
import { parseAndValidateKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import { kubeconfigYaml } from './fixtures.ts';

const strict = { allowLoopback: false };
const loose = { allowLoopback: true };

function refused(fn: () => void): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('UNSAFE_KUBECONFIG');
    expect((err as ValidationError).kind).toBe('invalid');
    return err as ValidationError;
  }
  throw new Error('expected the address to be refused');
}

describe('checkServerAddress', () => {
  const alwaysRefused = [
    '169.254.169.254',
    '169.254.0.1',
    '[fe80::1]',
    'fe80::abcd',
    'febf::1',
    'fd00:ec2::254',
    '[fd00:ec2::254]',
    'fd00:ec2::23',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '[::ffff:a9fe:a9fe]',
    '::ffff:10.0.0.1',
    '::169.254.169.254',
    '::ffff:0:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '2002:a9fe:a9fe::1',
    '2852039166',
    '0xa9fea9fe',
    '0XA9FEA9FE',
    '0251.0376.0251.0376',
    '169.254.43518',
    '169.16689662',
    '0xa9.0xfe.0xa9.0xfe',
    '0251.254.169.254',
    '0.0.0.0',
    '0',
    '0.0.0.1',
    '::',
    '[::]',
    '224.0.0.1',
    '239.255.255.250',
    'ff02::1',
    'ff05::1:3',
    '255.255.255.255',
    '240.0.0.1',
    'metadata.google.internal',
    'METADATA.GOOGLE.INTERNAL.',
    'instance-data',
    'example.123',
    'foo.0x10',
    'bad_host!.com',
    'a..b',
    '',
    'fe80::1%eth0',
    'exa%6dple.com',
  ];
  it.each(alwaysRefused)('refuses %s even with loopback allowed', (host) => {
    refused(() => checkServerAddress(host, loose));
  });

  const loopback = ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', 'localhost.', 'k8s.localhost', 'a.b.localhost'];
  it.each(loopback)('refuses loopback %s unless allowed', (host) => {
    refused(() => checkServerAddress(host, strict));
    expect(() => checkServerAddress(host, loose)).not.toThrow();
  });
  it('refuses non-canonical loopback spellings even when loopback is allowed', () => {
    for (const host of ['2130706433', '0x7f000001', '0177.0.0.1', '127.1']) refused(() => checkServerAddress(host, loose));
  });

  const fine = [
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.10',
    '100.64.0.1',
    '8.8.8.8',
    'fc00::1',
    'fd12:3456::1',
    '2600:1f18::1',
    'ABCDEF.gr7.us-east-1.eks.amazonaws.com',
    'kubernetes.example.com',
    'k8s-api.internal',
    'host_with_underscore.example',
  ];
  it.each(fine)('accepts %s', (host) => {
    expect(() => checkServerAddress(host, strict)).not.toThrow();
  });

  it('names the field in the message', () => {
    const err = refused(() => checkServerAddress('169.254.169.254', { ...strict, field: 'clusters[0].cluster.server' }));
    expect(err.message).toContain('clusters[0].cluster.server');
    expect(err.details).toEqual({ field: 'clusters[0].cluster.server' });
  });

  describe('operator allowlist', () => {
    const allowlist = ['.eks.amazonaws.com', '10.20.0.0/16', 'api.corp.example', '2600:1f18::/32'];
    it('accepts only matching hosts', () => {
      for (const host of ['abc.gr7.eu-west-1.eks.amazonaws.com', '10.20.3.4', 'api.corp.example', '2600:1f18::5']) {
        expect(() => checkServerAddress(host, { ...strict, allowlist })).not.toThrow();
      }
      for (const host of ['eks.amazonaws.com.evil.com', 'evileks.amazonaws.com', '10.21.0.1', 'x.api.corp.example', 'example.com', '2600:1f19::1']) {
        refused(() => checkServerAddress(host, { ...strict, allowlist }));
      }
    });
    it('never overrides the deny rules', () => {
      refused(() => checkServerAddress('169.254.169.254', { ...strict, allowlist: ['169.254.0.0/16'] }));
      refused(() => checkServerAddress('127.0.0.1', { ...strict, allowlist: ['127.0.0.0/8'] }));
    });
    it('an empty allowlist means no allowlist', () => {
      expect(() => checkServerAddress('example.com', { ...strict, allowlist: [] })).not.toThrow();
    });
  });
});

describe('checkResolvedAddress', () => {
  it('applies the same rules to resolved addresses', () => {
    for (const ip of ['169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254', '0.0.0.0', '224.0.0.1', 'fe80::1']) {
      refused(() => checkResolvedAddress(ip, loose));
    }
    refused(() => checkResolvedAddress('127.0.0.1', strict));
    expect(() => checkResolvedAddress('127.0.0.1', loose)).not.toThrow();
    expect(() => checkResolvedAddress('10.0.0.5', strict)).not.toThrow();
    refused(() => checkResolvedAddress('not-an-ip', strict));
  });
  it('with an allowlist, accepts an address by CIDR or by the name it came from', () => {
    const allowlist = ['.eks.amazonaws.com', '10.20.0.0/16'];
    expect(() => checkResolvedAddress('10.20.1.1', { ...strict, allowlist })).not.toThrow();
    expect(() => checkResolvedAddress('52.1.2.3', { ...strict, allowlist, host: 'x.eks.amazonaws.com' })).not.toThrow();
    refused(() => checkResolvedAddress('52.1.2.3', { ...strict, allowlist, host: 'example.com' }));
    refused(() => checkResolvedAddress('169.254.169.254', { ...strict, allowlist, host: 'x.eks.amazonaws.com' }));
  });
});

describe('parseLegacyIPv4', () => {
  it('decodes inet_aton spellings', () => {
    expect(parseLegacyIPv4('0xa9fea9fe')?.canonical).toBe('169.254.169.254');
    expect(parseLegacyIPv4('2852039166')?.canonical).toBe('169.254.169.254');
    expect(parseLegacyIPv4('0251.0376.0251.0376')?.canonical).toBe('169.254.169.254');
    expect(parseLegacyIPv4('169.254.43518')?.canonical).toBe('169.254.169.254');
    expect(parseLegacyIPv4('169.16689662')?.canonical).toBe('169.254.169.254');
    expect(parseLegacyIPv4('256.1.1.1')).toBeUndefined();
    expect(parseLegacyIPv4('1.2.3.4.5')).toBeUndefined();
    expect(parseLegacyIPv4('example.com')).toBeUndefined();
  });
});

/** Every way inet_aton / WHATWG URL can spell 169.254.c.d. */
function spellings(c: number, d: number): fc.Arbitrary<string> {
  const bytes = [169, 254, c, d];
  const part = (n: number) =>
    fc.constantFrom(String(n), `0x${n.toString(16)}`, `0X${n.toString(16).toUpperCase()}`, `0${n.toString(8)}`, `0x${n.toString(16).padStart(4, '0')}`);
  const v = ((169 * 256 + 254) * 256 + c) * 256 + d;
  return fc.oneof(
    fc.tuple(part(169), part(254), part(c), part(d)).map((p) => p.join('.')),
    fc.tuple(part(169), part(254), part(c * 256 + d)).map((p) => p.join('.')),
    fc.tuple(part(169), part(254 * 65536 + c * 256 + d)).map((p) => p.join('.')),
    part(v),
    fc.constant(`::ffff:${bytes.join('.')}`),
    fc.constant(`[::ffff:a9fe:${(c * 256 + d).toString(16)}]`),
    fc.constant(`::${bytes.join('.')}`),
    fc.constant(`64:ff9b::${bytes.join('.')}`),
  );
}

describe('properties', () => {
  it('every spelling of 169.254.x.x is refused, directly and as a kubeconfig server', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }).chain((c) => fc.integer({ min: 0, max: 255 }).chain((d) => spellings(c, d))),
        fc.boolean(),
        (host, allowLoopback) => {
          refused(() => checkServerAddress(host, { allowLoopback }));
          const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
          const err = (() => {
            try {
              parseAndValidateKubeconfig(kubeconfigYaml({ server: `https://${urlHost}:6443` }), { allowLoopback });
            } catch (e) {
              return e as ValidationError;
            }
            throw new Error(`accepted ${urlHost}`);
          })();
          expect(err.code).toBe('UNSAFE_KUBECONFIG');
          expect(err.message).toContain('clusters[0].cluster.server');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random public and private IPv4 addresses outside the denied ranges are accepted', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const [a, b] = ip.split('.').map(Number);
        const denied = a === 0 || a === 127 || a >= 224 || (a === 169 && b === 254);
        if (denied) refused(() => checkServerAddress(ip, strict));
        else expect(() => checkServerAddress(ip, strict)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
