import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../local/events/event-pattern.js';
import { fillTemplate, targetInput } from '../../local/events/input-transformer.js';
import { parseSchedule, ScheduleExpressionError } from '../../local/events/schedule.js';
import type { EventBridgeEvent } from '../../local/types.js';

const ec2Event: EventBridgeEvent = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'eu-west-3',
  resources: ['arn:aws:ec2:eu-west-3:123456789012:instance/i-0abc'],
  detail: {
    'instance-id': 'i-0abc',
    state: 'terminated',
    cpu: 4,
    tags: ['shepherd', 'spot'],
    nics: [{ ip: '10.0.1.7' }, { ip: '192.168.0.2' }],
  },
};

describe('EventBridge event patterns', () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['exact values', { source: ['aws.ec2'], detail: { state: ['terminated', 'stopped'] } }, true],
    ['exact value mismatch', { detail: { state: ['running'] } }, false],
    ['prefix', { 'detail-type': [{ prefix: 'EC2 Instance' }] }, true],
    ['suffix', { resources: [{ suffix: 'i-0abc' }] }, true],
    ['equals-ignore-case', { detail: { state: [{ 'equals-ignore-case': 'TERMINATED' }] } }, true],
    ['wildcard', { detail: { 'instance-id': [{ wildcard: 'i-*c' }] } }, true],
    ['anything-but list', { detail: { state: [{ 'anything-but': ['running', 'pending'] }] } }, true],
    ['anything-but excludes the value', { detail: { state: [{ 'anything-but': 'terminated' }] } }, false],
    ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }, false],
    ['anything-but needs the field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['exists true', { detail: { 'instance-id': [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { spot: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { state: [{ exists: false }] } }, false],
    ['numeric range', { detail: { cpu: [{ numeric: ['>', 2, '<=', 4] }] } }, true],
    ['numeric out of range', { detail: { cpu: [{ numeric: ['>=', 8] }] } }, false],
    ['any element of an event array', { detail: { tags: ['spot'] } }, true],
    ['nested fields through an array of objects', { detail: { nics: { ip: [{ cidr: '10.0.0.0/16' }] } } }, true],
    ['$or alternatives', { $or: [{ detail: { state: ['running'] } }, { detail: { cpu: [4] } }] }, true],
    ['$or with no matching alternative', { $or: [{ detail: { state: ['running'] } }, { source: ['aws.gce'] }] }, false],
    ['a string never equals a number', { detail: { cpu: ['4'] } }, false],
  ];
  for (const [what, pattern, expected] of cases) {
    it(`${what}: ${expected ? 'matches' : 'does not match'}`, () => {
      expect(matchesPattern(pattern, ec2Event)).toBe(expected);
    });
  }
});

describe('EventBridge target input', () => {
  const rule = { name: 'r', arn: 'arn:aws:events:eu-west-3:123456789012:rule/r' };

  it('fills a JSON template: strings quoted outside quotes, raw inside, objects as JSON, missing paths as null', () => {
    const out = targetInput(
      {
        id: 't',
        arn: 'x',
        inputTransformer: {
          inputPathsMap: { id: '$.detail.instance-id', cpu: '$.detail.cpu', tags: '$.detail.tags', nope: '$.detail.nope', first: '$.detail.nics[0].ip' },
          inputTemplate: '{"instance":<id>,"text":"<id> has <cpu> cpus","cpu":<cpu>,"tags":<tags>,"missing":<nope>,"ip":<first>,"rule":<aws.events.rule-name>}',
        },
      },
      ec2Event,
      rule,
      '2026-01-01T00:00:01Z',
    );
    expect(JSON.parse(out)).toEqual({
      instance: 'i-0abc',
      text: 'i-0abc has 4 cpus',
      cpu: 4,
      tags: ['shepherd', 'spot'],
      missing: null,
      ip: '10.0.1.7',
      rule: 'r',
    });
  });

  it('fills a quoted-string template and a plain-text one', () => {
    const vars = new Map<string, unknown>([
      ['id', 'i-0abc'],
      ['tags', ['a', 'b']],
    ]);
    expect(JSON.parse(fillTemplate('"instance <id> has <tags>"', vars))).toBe('instance i-0abc has [a,b]');
    expect(fillTemplate('<id> is gone', vars)).toBe('i-0abc is gone');
  });

  it('sends the whole event, a constant Input, or the part InputPath selects', () => {
    expect(JSON.parse(targetInput({ id: 't', arn: 'x' }, ec2Event, rule, ''))).toEqual(ec2Event);
    expect(targetInput({ id: 't', arn: 'x', input: '{"fixed":true}' }, ec2Event, rule, '')).toBe('{"fixed":true}');
    expect(JSON.parse(targetInput({ id: 't', arn: 'x', inputPath: '$.detail.tags' }, ec2Event, rule, ''))).toEqual(['shepherd', 'spot']);
  });
});

describe('schedule expressions', () => {
  const t0 = Date.UTC(2026, 0, 1, 0, 0, 0);

  it('rate(...) fires one period after the rule was created, then every period', () => {
    const s = parseSchedule('rate(5 minutes)', t0);
    expect(s.next(t0)).toBe(t0 + 300_000);
    expect(s.next(t0 + 300_000)).toBe(t0 + 600_000);
    expect(parseSchedule('rate(1 day)', t0).next(t0 + 1)).toBe(t0 + 86_400_000);
  });

  it('cron(...) in UTC with ranges, steps, names, L and #', () => {
    const at = (expr: string, after = t0) => new Date(parseSchedule(expr, t0).next(after) ?? 0).toISOString();
    expect(at('cron(0/15 * * * ? *)')).toBe('2026-01-01T00:15:00.000Z');
    expect(at('cron(30 9 ? * MON-FRI *)')).toBe('2026-01-01T09:30:00.000Z'); // a Thursday
    expect(at('cron(0 0 ? * SAT *)')).toBe('2026-01-03T00:00:00.000Z');
    expect(at('cron(0 12 L * ? *)')).toBe('2026-01-31T12:00:00.000Z');
    expect(at('cron(0 8 ? * 2#1 *)')).toBe('2026-01-05T08:00:00.000Z'); // first Monday
    expect(at('cron(0 0 1 JAN,JUL ? *)', t0)).toBe('2026-07-01T00:00:00.000Z');
  });

  it('a cron limited to past years never fires again; malformed expressions are refused', () => {
    expect(parseSchedule('cron(0 12 1 1 ? 2026)', t0).next(Date.UTC(2026, 0, 1, 12))).toBeUndefined();
    expect(() => parseSchedule('rate(5 fortnights)', t0)).toThrow(ScheduleExpressionError);
    expect(() => parseSchedule('cron(61 * * * ? *)', t0)).toThrow(ScheduleExpressionError);
  });
});
