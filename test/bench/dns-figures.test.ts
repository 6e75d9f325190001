import { describe, expect, it } from 'vitest';
import { addressLeft } from '../../bench/dns/figures.js';
import { ANCHORS, BENCH_CHECK, describeCheck, formatLoss, GOALS, goalChecks } from '../../bench/dns/report.js';
import type { LossFigures } from '../../bench/dns/scenarios.js';
import { Clock } from '../../sim/clock.js';
import { Random } from '../../sim/random.js';
import { World } from '../../sim/world/world.js';

// The bench's figures read from the simulated Cloudflare's history and resolver view.

const DEAD = '203.0.113.5';
const ALIVE = '198.51.100.9';

function zone(ttl = 60, proxied = false) {
  const clock = new Clock({ mode: 'virtual', autoAdvance: false });
  const world = new World({ clock, random: new Random(1), kind: 'all' });
  const z = world.dns.createZone('example.com');
  const names = ['example.com', 'app.example.com'];
  const ids = new Map<string, string>();
  for (const name of names) {
    world.dns.createRecord(z.id, { name, type: 'A', content: ALIVE, ttl, proxied });
    ids.set(name, world.dns.createRecord(z.id, { name, type: 'A', content: DEAD, ttl, proxied }).id);
  }
  return { clock, world, zoneId: z.id, names, ids };
}

describe('Function: addressLeft', () => {
  it('takes the last name to drop the address, and adds the TTL of the answer that held it', async () => {
    const { clock, world, zoneId, names, ids } = zone(60);
    const t0 = clock.now();
    await clock.advance(2_000);
    world.dns.deleteRecord(zoneId, ids.get('example.com') as string);
    await clock.advance(1_500);
    world.dns.deleteRecord(zoneId, ids.get('app.example.com') as string);
    const left = addressLeft(world.dns, names, 'A', DEAD, t0);
    expect(left.changedAt).toBe(t0 + 3_500);
    expect(left.ttlS).toBe(60);
    expect(left.lastStaleAt).toBe(t0 + 3_500 - 1 + 60_000);
  });

  it('says nothing while a name still holds the address', async () => {
    const { clock, world, zoneId, names, ids } = zone(60);
    const t0 = clock.now();
    await clock.advance(1_000);
    world.dns.deleteRecord(zoneId, ids.get('example.com') as string);
    expect(addressLeft(world.dns, names, 'A', DEAD, t0)).toEqual({ heldAtStart: true });
  });

  it('measures nothing for an address the records did not hold at the start', () => {
    const { clock, world, names } = zone(60);
    expect(addressLeft(world.dns, names, 'A', '192.0.2.99', clock.now())).toEqual({ heldAtStart: false });
  });

  it('counts no TTL for a proxied answer: the edge switches at once', async () => {
    const { clock, world, zoneId, names, ids } = zone(1, true);
    const t0 = clock.now();
    await clock.advance(4_000);
    for (const id of ids.values()) world.dns.deleteRecord(zoneId, id);
    expect(addressLeft(world.dns, names, 'A', DEAD, t0)).toEqual({ heldAtStart: true, changedAt: t0 + 4_000, lastStaleAt: t0 + 4_000, ttlS: 0 });
  });
});

const loss = (kind: LossFigures['kind'], recordsChangedS?: number): LossFigures => ({
  kind,
  what: kind === 'announced' ? 'spot warning on aws-arm64 node n-1' : 'home lab power off (no cloud event)',
  node: 'n-1',
  address: DEAD,
  publishedAtLoss: true,
  ttlS: 60,
  ...(recordsChangedS !== undefined ? { recordsChangedS, lastStaleAnswerS: recordsChangedS + 60 } : {}),
});

describe('Function: goalChecks (bench:dns)', () => {
  it('checks each loss against its goal, inclusive, and a change that never came as missed', () => {
    const checks = goalChecks([loss('announced', GOALS.announcedS), loss('unannounced', GOALS.unannouncedS + 0.1), loss('unannounced')]);
    expect(checks.map((c) => [c.goalS, c.actualS, c.met])).toEqual([
      [5, 5, true],
      [30, 30.1, false],
      [30, undefined, false],
    ]);
    const unpublished = goalChecks([{ ...loss('announced', 0), publishedAtLoss: false }])[0];
    expect(unpublished).toMatchObject({ met: false, what: expect.stringContaining('not measured') });
    expect(unpublished.actualS).toBeUndefined();
  });

  it('prints the figures beside the anchors, TTL added', () => {
    const lines = formatLoss(loss('unannounced', 12));
    expect(lines.join('\n')).toContain('records changed          12.0 s');
    expect(lines.join('\n')).toContain('last resolver answer     72.0 s');
    expect(lines.join('\n')).toContain(`in-cluster updater pod ${ANCHORS.updaterPod.unannouncedS} s, + TTL 60 s = ${ANCHORS.updaterPod.unannouncedS + 60} s`);
    expect(lines.join('\n')).toContain(`Route 53 health checks ${ANCHORS.route53.unannouncedS} s, + TTL 60 s = 150 s`);
  });
});

describe('Function: describeCheck', () => {
  it('names the protocol, port, path and timeout of a check', () => {
    expect(describeCheck(BENCH_CHECK)).toBe('https:443/healthz (timeout 2000 ms)');
    expect(describeCheck({ protocol: 'tcp', port: 22, timeoutMs: 500 })).toBe('tcp:22 (timeout 500 ms)');
    expect(describeCheck(undefined)).toBe('none');
  });
});
