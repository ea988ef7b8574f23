import { describe, expect, it } from 'vitest';
import { matcherMatches, parseMatcher, silencedBy, type Silence } from '../../../functions/core/alerts/silences.ts';
import { CreateSilenceRequest } from '../../../functions/schemas/alerts.ts';

const now = new Date('2026-06-01T12:00:00Z');
const silence = (matchers: Silence['matchers']): Silence => ({
  id: 's',
  matchers,
  startsAt: '2026-06-01T00:00:00Z',
  endsAt: '2026-06-02T00:00:00Z',
  createdBy: 'sre',
  comment: '',
});
const request = (value: string) => ({
  matchers: [{ name: 'pod', value, isRegex: true }],
  endsAt: '2026-06-02T00:00:00Z',
  createdBy: 'sre',
});

describe('silence regexes are hostile input', () => {
  it('refuses a pattern that does not compile at creation, naming the field', () => {
    const parsed = CreateSilenceRequest.safeParse(request('('));
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].path).toEqual(['matchers', 0, 'value']);
    expect(parsed.error!.issues[0].message).toMatch(/invalid regular expression/);
    expect(() => parseMatcher('pod=~"("')).toThrow(/invalid regular expression/);
  });

  it('refuses Perl-only syntax RE2 does not have (lookahead, backreferences)', () => {
    expect(CreateSilenceRequest.safeParse(request('(?=a)b')).success).toBe(false);
    expect(CreateSilenceRequest.safeParse(request('(a)\\1')).success).toBe(false);
  });

  it('accepts ordinary patterns, including nested quantifiers (RE2 runs them in linear time)', () => {
    expect(CreateSilenceRequest.safeParse(request('web-.*')).success).toBe(true);
    expect(CreateSilenceRequest.safeParse(request('(a+)+b')).success).toBe(true);
  });

  it('matches anchored, like Alertmanager', () => {
    const m = { name: 'pod', value: 'web.*', isRegex: true, isEqual: true };
    expect(matcherMatches(m, { pod: 'web-1' })).toBe(true);
    expect(matcherMatches(m, { pod: 'myweb' })).toBe(false);
    expect(matcherMatches({ ...m, isEqual: false }, { pod: 'myweb' })).toBe(true);
  });

  it('matches (a+)+b against 48 "a"s without backtracking', () => {
    const m = { name: 'pod', value: '(a+)+b', isRegex: true, isEqual: true };
    expect(matcherMatches(m, { pod: 'a'.repeat(48) })).toBe(false);
    expect(matcherMatches(m, { pod: `${'a'.repeat(48)}b` })).toBe(true);
  });

  it('treats a stored silence whose pattern does not compile as matching nothing, without throwing', () => {
    const broken = silence([{ name: 'pod', value: '(', isRegex: true, isEqual: true }]);
    const negated = silence([{ name: 'pod', value: '(', isRegex: true, isEqual: false }]);
    const good = silence([{ name: 'pod', value: 'web-.*', isRegex: true, isEqual: true }]);
    expect(silencedBy({ pod: 'web-1' }, [broken, negated], now)).toBeUndefined();
    expect(silencedBy({ pod: 'web-1' }, [broken, good], now)).toBe(good);
  });
});
