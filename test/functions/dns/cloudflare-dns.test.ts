import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloudflareDns } from '../../../functions/adapters/dns/cloudflare.js';
import {
  isDnsRateLimitedError,
  isDnsRequestRefusedError,
  isDnsTransientError,
  isDnsZoneMismatchError,
  isDnsZoneNotFoundError,
} from '../../../functions/adapters/dns/errors.js';
import type { DnsApi } from '../../../functions/adapters/dns/types.js';
import { ownershipComment } from '../../../functions/decisions/dns/ownership.js';
import { planChanges } from '../../../functions/decisions/dns/plan.js';
import { type Sim, startSim } from '../../../sim/index.js';
import type { DnsZone } from '../../../sim/world/dns/dns-types.js';

// The DNS adapter against the simulated Cloudflare, through the official `cloudflare` SDK over HTTP.

let sim: Sim;
let zone: DnsZone;
let dns: DnsApi;
const OWNER = ownershipComment('kosmos-demo', 'app');
const NAME = 'app.example.test';

async function caught(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

function contents(name = NAME): string[] {
  return sim.world.dns
    .listRecords(zone.id)
    .filter((r) => r.name === name && r.type === 'A')
    .map((r) => `${r.content} ${r.comment ?? '-'}`)
    .sort();
}

/** One failover run as the handler makes it: read, plan, apply. */
async function converge(healthy: string[], maxChanges = 10) {
  const existing = await dns.recordsAt(zone.id, [NAME]);
  const plan = planChanges({ names: [NAME], type: 'A', ttl: 60, proxied: false, owner: OWNER, healthy, existing, maxChanges });
  const { posts, patches, deletes } = plan.batch;
  if (posts.length + patches.length + deletes.length > 0) await dns.applyBatch(zone.id, plan.batch);
  return plan;
}

beforeEach(async () => {
  sim = await startSim({ servers: ['cloudflare'], clock: { mode: 'virtual', autoAdvance: false } });
  zone = sim.world.dns.createZone('example.test');
  dns = cloudflareDns({ apiToken: sim.credentials.cloudflare.apiToken, baseURL: `${sim.endpoints.cloudflare}/client/v4`, pageSize: 2 });
});

afterEach(async () => {
  await sim.stop();
});

describe('Function: cloudflareDns', () => {
  it('finds a zone by name, checks the configured id, and names a missing zone', async () => {
    sim.world.dns.createZone('other.test');
    expect(await dns.zoneId('example.test')).toBe(zone.id);
    expect(await dns.zoneId('example.test', zone.id)).toBe(zone.id);
    const mismatch = await caught(dns.zoneId('example.test', '0'.repeat(32)));
    expect(isDnsZoneMismatchError(mismatch)).toBe(true);
    expect(mismatch.message).toContain(`zone example.test has id ${zone.id}, not ${'0'.repeat(32)} as the config says`);
    const missing = await caught(dns.zoneId('nowhere.test'));
    expect(isDnsZoneNotFoundError(missing)).toBe(true);
    expect(missing.message).toMatch(/no zone named nowhere\.test/);
  });

  it('lists every record at the names across pages, whoever owns them', async () => {
    for (let i = 1; i <= 5; i++)
      sim.world.dns.createRecord(zone.id, { type: 'A', name: NAME, content: `198.18.0.${i}`, ttl: 60, comment: i % 2 ? OWNER : null });
    sim.world.dns.createRecord(zone.id, { type: 'TXT', name: NAME, content: 'hello', ttl: 60 });
    sim.world.dns.createRecord(zone.id, { type: 'A', name: 'other.example.test', content: '198.18.0.9', ttl: 60 });
    const records = await dns.recordsAt(zone.id, [NAME]);
    expect(records.map((r) => `${r.type} ${r.content} ${r.comment ?? '-'}`).sort()).toEqual([
      `A 198.18.0.1 ${OWNER}`,
      'A 198.18.0.2 -',
      `A 198.18.0.3 ${OWNER}`,
      'A 198.18.0.4 -',
      `A 198.18.0.5 ${OWNER}`,
      'TXT hello -',
    ]);
    // Page size 2: 6 records take 3 pages and the empty fourth that ends the SDK's pager.
    expect(sim.counters.get('cloudflare', 'dns_records.list')).toBe(4);
  });

  it('moves the entrypoint in one batch transaction, leaving the foreign record as it was', async () => {
    sim.world.dns.createRecord(zone.id, { type: 'A', name: NAME, content: '203.0.113.50', ttl: 300, comment: 'by hand' });
    await converge(['198.18.0.1', '198.18.0.2']);
    expect(contents()).toEqual([`198.18.0.1 ${OWNER}`, `198.18.0.2 ${OWNER}`, '203.0.113.50 by hand']);
    const batchesBefore = sim.counters.get('cloudflare', 'dns_records.batch');
    const changesBefore = sim.world.dns.changes().length;
    const plan = await converge(['198.18.0.2', '198.18.0.3']);
    expect(sim.counters.get('cloudflare', 'dns_records.batch')).toBe(batchesBefore + 1);
    // One transaction: both changes at the same instant.
    const changes = sim.world.dns.changes().slice(changesBefore);
    expect(changes.map((c) => c.action).sort()).toEqual(['created', 'deleted']);
    expect(new Set(changes.map((c) => c.at)).size).toBe(1);
    expect(plan.conflicts.map((c) => c.content)).toEqual(['203.0.113.50']);
    expect(contents()).toEqual([`198.18.0.2 ${OWNER}`, `198.18.0.3 ${OWNER}`, '203.0.113.50 by hand']);
    // A second run finds nothing to do.
    await converge(['198.18.0.2', '198.18.0.3']);
    expect(sim.counters.get('cloudflare', 'dns_records.batch')).toBe(batchesBefore + 1);
  });

  it('writes its ownership comment on a Free zone, which refuses tags and comments over 100 characters', async () => {
    const longest = ownershipComment('c'.repeat(40), 'e'.repeat(40));
    await dns.applyBatch(zone.id, {
      posts: [{ name: NAME, type: 'A', content: '198.18.0.1', ttl: 60, proxied: false, comment: longest }],
      patches: [],
      deletes: [],
    });
    expect(contents()).toEqual([`198.18.0.1 ${longest}`]);
    const tooLong = await caught(
      dns.applyBatch(zone.id, {
        posts: [{ name: NAME, type: 'A', content: '198.18.0.2', ttl: 60, proxied: false, comment: 'x'.repeat(101) }],
        patches: [],
        deletes: [],
      }),
    );
    expect(isDnsRequestRefusedError(tooLong)).toBe(true);
    expect(contents()).toEqual([`198.18.0.1 ${longest}`]);
  });

  it('turns a 429 into DnsRateLimitedError carrying retry-after, and the API token never shows', async () => {
    sim.faults.set('cloudflare', '*', { rateLimit: { capacity: 1, refillPerSecond: 0.001 } });
    await dns.recordsAt(zone.id, [NAME]);
    const limited = await caught(dns.recordsAt(zone.id, [NAME]));
    expect(isDnsRateLimitedError(limited)).toBe(true);
    expect(isDnsRateLimitedError(limited) && limited.retryAfterSeconds).toBe(300);
    expect(limited.message).toBe(`Cloudflare rate-limited the API token while listing the records at ${NAME}; retry after 300 s.`);
    expect(JSON.stringify({ ...limited, message: limited.message, stack: limited.stack })).not.toContain(sim.credentials.cloudflare.apiToken);
  });

  it('turns a 5xx into DnsTransientError and applies nothing of the refused batch', async () => {
    sim.faults.set('cloudflare', 'dns_records.batch', { errorRate: 1 });
    const err = await caught(converge(['198.18.0.1']));
    expect(isDnsTransientError(err)).toBe(true);
    expect(err.message).toMatch(/^Cloudflare answered 500 while applying a batch of 1 additions/);
    expect(contents()).toEqual([]);
    sim.faults.set('cloudflare', 'dns_records.batch', { errorRate: 0 });
    await converge(['198.18.0.1']);
    await converge(['198.18.0.1']);
    expect(contents()).toEqual([`198.18.0.1 ${OWNER}`]);
  });

  it('a refused token is DnsRequestRefusedError whose message holds no token', async () => {
    const token = 'y'.repeat(40);
    const stranger = cloudflareDns({ apiToken: token, baseURL: `${sim.endpoints.cloudflare}/client/v4` });
    const err = await caught(stranger.recordsAt(zone.id, [NAME]));
    expect(isDnsRequestRefusedError(err)).toBe(true);
    expect(err.message).toBe(`Cloudflare refused listing the records at ${NAME} with status 401, saying 10000: Authentication error.`);
    expect(`${err.message} ${err.stack}`).not.toContain(token);
  });
});
