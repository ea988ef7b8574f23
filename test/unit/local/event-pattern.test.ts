import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../local/bus/event-pattern.ts';

// The example event and patterns follow AWS's EventBridge documentation ("Event patterns",
// "Content filtering in Amazon EventBridge event patterns").
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 7,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
    'file-name': 'image.png',
    location: 'eu-west-1',
    tags: ['prod', 'web'],
  },
};

describe('EventBridge content filtering', () => {
  it.each([
    ['exact value', { source: ['aws.ec2'] }, true],
    ['exact value, no match', { source: ['aws.s3'] }, false],
    ['one of several values', { detail: { state: ['running', 'terminated'] } }, true],
    ['nested field missing', { detail: { nope: ['x'] } }, false],
    ['prefix', { source: [{ prefix: 'aws.' }] }, true],
    ['prefix, no match', { 'detail-type': [{ prefix: 'S3' }] }, false],
    ['prefix ignoring case', { 'detail-type': [{ prefix: { 'equals-ignore-case': 'ec2 instance' } }] }, true],
    ['suffix', { detail: { 'file-name': [{ suffix: '.png' }] } }, true],
    ['suffix, no match', { detail: { 'file-name': [{ suffix: '.jpg' }] } }, false],
    ['equals-ignore-case', { detail: { state: [{ 'equals-ignore-case': 'TERMINATED' }] } }, true],
    ['anything-but value', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
    ['anything-but value, excluded', { detail: { state: [{ 'anything-but': 'terminated' }] } }, false],
    ['anything-but list', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, true],
    ['anything-but list, excluded', { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, false],
    ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, true],
    ['anything-but prefix, excluded', { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }, false],
    ['anything-but suffix, excluded', { detail: { 'file-name': [{ 'anything-but': { suffix: '.png' } }] } }, false],
    ['anything-but numbers', { detail: { 'c-count': [{ 'anything-but': [1, 2, 3] }] } }, true],
    ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    ['numeric range, outside', { detail: { 'c-count': [{ numeric: ['>', 5] }] } }, false],
    ['numeric equals', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, true],
    ['numeric on a string never matches', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
    ['exists true', { detail: { state: [{ exists: true }] } }, true],
    ['exists true, absent', { detail: { nope: [{ exists: true }] } }, false],
    ['exists false', { detail: { nope: [{ exists: false }] } }, true],
    ['exists false, present', { detail: { state: [{ exists: false }] } }, false],
    ['cidr', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true],
    ['cidr, outside', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false],
    ['wildcard', { detail: { location: [{ wildcard: 'eu-*-1' }] } }, true],
    ['wildcard, no match', { detail: { location: [{ wildcard: 'us-*' }] } }, false],
    ['array field matches any element', { detail: { tags: ['web'] } }, true],
    ['array field, no element matches', { detail: { tags: ['db'] } }, false],
    ['all fields must match (AND)', { source: ['aws.ec2'], detail: { state: ['running'] } }, false],
    [
      '$or (AWS docs example)',
      {
        detail: {
          $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }],
        },
      },
      true,
    ],
    ['$or with no matching alternative', { $or: [{ source: ['aws.s3'] }, { 'detail-type': ['Object Created'] }] }, false],
    ['$or mixed with other fields', { source: ['aws.ec2'], $or: [{ detail: { state: ['pending'] } }, { region: ['us-west-1'] }] }, true],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, ec2Event)).toBe(expected);
  });

  it('matches null values literally', () => {
    expect(matchesPattern({ detail: { v: [null] } }, { detail: { v: null } })).toBe(true);
    expect(matchesPattern({ detail: { v: [null] } }, { detail: {} })).toBe(false);
  });

  it('matches the CloudWatch alarm pattern the alert rule uses', () => {
    const alarm = { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: { state: { value: 'ALARM' } } };
    const pattern = { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { state: { value: ['ALARM', 'OK'] } } };
    expect(matchesPattern(pattern, alarm)).toBe(true);
    expect(matchesPattern(pattern, { ...alarm, detail: { state: { value: 'INSUFFICIENT_DATA' } } })).toBe(false);
  });
});
