import { describe, expect, it } from 'vitest';
import { parseEc2Event } from '../../../functions/decisions/healing/ec2-events/parse.js';
import { EC2_HEALING_RULES } from '../../../functions/decisions/healing/ec2-events/patterns.js';
import { EC2_INSTANCE_STATES, LEAVING_STATES } from '../../../functions/decisions/healing/ec2-events/types.js';
import { matchesPattern } from '../../../local/events/event-pattern.js';
import { healthScheduledChange, rebalanceRecommendation, spotInterruptionWarning, stateChange } from './ec2-event-fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: tests mutate raw JSON freely
type Raw = any;
const copy = (event: object): Raw => structuredClone(event);

function problemsOf(raw: unknown) {
  const parsed = parseEc2Event(raw);
  if (parsed.ok) throw new Error(`expected a rejection, got ${JSON.stringify(parsed.event)}`);
  return parsed;
}

describe('Function: parseEc2Event', () => {
  it("reads AWS's spot interruption warning", () => {
    expect(parseEc2Event(spotInterruptionWarning)).toEqual({
      ok: true,
      event: {
        kind: 'spot-interruption',
        id: '12345678-1234-1234-1234-123456789012',
        time: '2021-02-03T14:05:00Z',
        region: 'us-east-2',
        account: '123456789012',
        instanceIds: ['i-1234567890abcdef0'],
        instanceAction: 'terminate',
      },
    });
  });

  it("reads AWS's rebalance recommendation", () => {
    expect(parseEc2Event(rebalanceRecommendation)).toMatchObject({
      ok: true,
      event: { kind: 'rebalance-recommendation', instanceIds: ['i-1234567890abcdef0'] },
    });
  });

  it('reads a state-change notification in every documented state', () => {
    for (const state of EC2_INSTANCE_STATES) {
      expect(parseEc2Event(stateChange(state))).toMatchObject({ ok: true, event: { kind: 'state-change', state, instanceIds: ['i-1234567890abcdef0'] } });
    }
  });

  it('reads an AWS Health EC2 scheduled change, keeping only the instances among its entities', () => {
    const raw = copy(healthScheduledChange);
    raw.detail.affectedEntities.push({ entityValue: 'h-0123456789abcdef0' }, { entityValue: 'i-0123456789abcdef0' }, { entityValue: 'i-abcd1111' });
    expect(parseEc2Event(raw)).toEqual({
      ok: true,
      event: {
        kind: 'scheduled-change',
        id: '7fb65329-1628-4cf3-a740-95fg457h1402',
        time: '2016-06-05T06:27:57Z',
        region: 'us-east-1',
        account: '123456789012',
        instanceIds: ['i-abcd1111', 'i-0123456789abcdef0'],
        eventArn: healthScheduledChange.detail.eventArn,
        eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
        statusCode: 'upcoming',
        startTime: 'Sat, 05 Jun 2016 15:10:09 GMT',
      },
    });
  });

  it('reads the envelope the simulator publishes for EC2', () => {
    // sim/servers/ec2/events.ts: version, id, detail-type, source, account, time (whole seconds), region, resources, detail.
    const simulated = {
      ...copy(stateChange('terminated')),
      version: '0',
      time: '2026-01-01T00:00:20Z',
      detail: { 'instance-id': 'i-0123456789abcdef0', state: 'terminated' },
    };
    expect(parseEc2Event(simulated)).toMatchObject({ ok: true, event: { instanceIds: ['i-0123456789abcdef0'], state: 'terminated' } });
  });

  it.each([
    [
      'a missing instance id',
      (r: Raw) => delete r.detail['instance-id'],
      'detail.instance-id: missing; expected an EC2 instance id like "i-1234567890abcdef0"',
    ],
    ['an instance id of the wrong shape', (r: Raw) => (r.detail['instance-id'] = 'i-xyz'), 'detail.instance-id: got "i-xyz"; expected an EC2 instance id'],
    [
      'an unknown instance action',
      (r: Raw) => (r.detail['instance-action'] = 'explode'),
      'detail.instance-action: got "explode"; expected "hibernate" | "stop" | "terminate"',
    ],
    ['a detail that is not an object', (r: Raw) => (r.detail = 'x'), 'detail: got "x"; expected an object'],
    ['a missing id', (r: Raw) => delete r.id, 'id: missing'],
    ['an unreadable time', (r: Raw) => (r.time = 'yesterday'), 'time: got "yesterday"; expected an ISO 8601 time'],
    ['a numeric account', (r: Raw) => (r.account = 123456789012), 'account: got 123456789012'],
  ])('reports %s as malformed, naming the field', (_what, mutate, problem) => {
    const raw = copy(spotInterruptionWarning);
    mutate(raw);
    const rejected = problemsOf(raw);
    expect(rejected.why).toBe('malformed');
    expect(rejected.problems.join('\n')).toContain(problem);
    expect(rejected.summary).toMatch(/malformed \(\d+ problems?\); dropped$/);
  });

  it('reports an unknown state of a state-change notification as malformed', () => {
    expect(problemsOf(stateChange('melting')).problems).toEqual([
      'detail.state: got "melting"; expected "pending" | "running" | "stopping" | "stopped" | "shutting-down" | "terminated"',
    ]);
  });

  it('reports every problem of an AWS Health event at once', () => {
    const raw = copy(healthScheduledChange);
    delete raw.detail.eventArn;
    raw.detail.affectedEntities = [{ entityValue: 'i-abcd1111' }, { tags: {} }];
    raw.detail.statusCode = 'ongoing';
    const rejected = problemsOf(raw);
    expect(rejected.why).toBe('malformed');
    expect(rejected.problems).toEqual([
      'detail.eventArn: missing; expected the Health event ARN',
      'detail.statusCode: got "ongoing"; expected "open" | "closed" | "upcoming"',
      'detail.affectedEntities[1].entityValue: missing; expected an EC2 instance id like "i-1234567890abcdef0"',
    ]);
    raw.detail.affectedEntities = [];
    expect(problemsOf(raw).problems).toContain('detail.affectedEntities: got an array of 0; expected a non-empty array of {"entityValue": "<instance id>"}');
  });

  it('sets apart well-formed events healing does not handle: other detail-types, other Health events, hosts only', () => {
    const other = copy(spotInterruptionWarning);
    other['detail-type'] = 'EC2 Instance-terminate Lifecycle Action';
    expect(problemsOf(other)).toMatchObject({ why: 'unsupported' });
    const notEc2 = copy(healthScheduledChange);
    notEc2.detail.service = 'RDS';
    expect(problemsOf(notEc2)).toMatchObject({ why: 'unsupported', summary: expect.stringContaining('not an EC2 scheduled change') });
    const issue = copy(healthScheduledChange);
    issue.detail.eventTypeCategory = 'issue';
    expect(problemsOf(issue)).toMatchObject({ why: 'unsupported' });
    const hostOnly = copy(healthScheduledChange);
    hostOnly.detail.affectedEntities = [{ entityValue: 'h-0123456789abcdef0' }];
    expect(problemsOf(hostOnly)).toMatchObject({ why: 'unsupported', summary: expect.stringContaining('affects no EC2 instance') });
  });

  it('never throws, whatever arrives', () => {
    const junk: unknown[] = [undefined, null, 42, 'event', [], [spotInterruptionWarning], { detail: null }, { ...spotInterruptionWarning, detail: [] }];
    for (const raw of junk) {
      const parsed = parseEc2Event(raw);
      expect(parsed.ok).toBe(false);
    }
    expect(problemsOf(null).problems).toEqual(['(event): got null; expected an EventBridge event object']);
  });

  it('cuts long values and never echoes a whole object in a problem', () => {
    const raw = copy(stateChange('x'.repeat(500)));
    raw.detail['instance-id'] = { nested: 'secret-looking' };
    const text = problemsOf(raw).problems.join('\n');
    expect(text).not.toContain('secret-looking');
    expect(text).toContain('detail.instance-id: got an object');
    expect(text.length).toBeLessThan(400);
  });
});

describe('Data: EC2_HEALING_RULES', () => {
  const matching = (event: unknown) => EC2_HEALING_RULES.filter((rule) => matchesPattern(rule.pattern, event)).map((rule) => rule.name);

  it("matches each of AWS's documented events with exactly one rule", () => {
    expect(matching(spotInterruptionWarning)).toEqual(['Ec2SpotInterruptionWarning']);
    expect(matching(rebalanceRecommendation)).toEqual(['Ec2RebalanceRecommendation']);
    expect(matching(healthScheduledChange)).toEqual(['Ec2ScheduledChange']);
    for (const state of LEAVING_STATES) expect(matching(stateChange(state))).toEqual(['Ec2InstanceLeaving']);
  });

  it('lets through no launch, no other Health event and nothing from another source', () => {
    expect(matching(stateChange('pending'))).toEqual([]);
    expect(matching(stateChange('running'))).toEqual([]);
    const rds = copy(healthScheduledChange);
    rds.detail.service = 'RDS';
    const issue = copy(healthScheduledChange);
    issue.detail.eventTypeCategory = 'issue';
    const custom = { ...copy(spotInterruptionWarning), source: 'my.app' };
    expect([rds, issue, custom].flatMap(matching)).toEqual([]);
  });

  it('matches only events that parse', () => {
    for (const event of [spotInterruptionWarning, rebalanceRecommendation, healthScheduledChange, ...LEAVING_STATES.map(stateChange)]) {
      expect(parseEc2Event(event).ok).toBe(true);
    }
  });
});
