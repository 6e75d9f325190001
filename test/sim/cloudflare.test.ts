import Cloudflare from 'cloudflare';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../sim/index.js';
import type { DnsZone } from '../../sim/world/dns/dns-types.js';

let sim: Sim;
let cf: Cloudflare;
let zone: DnsZone;

function client(apiToken: string): Cloudflare {
  return new Cloudflare({ apiToken, baseURL: `${sim.endpoints.cloudflare}/client/v4`, maxRetries: 0 });
}

/** The APIError a call was refused with (fails the test if the call succeeded). */
async function refusal(call: Promise<unknown>): Promise<InstanceType<typeof Cloudflare.APIError>> {
  try {
    await call;
  } catch (err) {
    if (err instanceof Cloudflare.APIError) return err;
    throw err;
  }
  throw new Error('expected the API to refuse the call');
}

function errorCodes(err: InstanceType<typeof Cloudflare.APIError>): Array<number | undefined> {
  return err.errors.map((e) => e.code);
}

function records() {
  return sim.world.dns
    .listRecords(zone.id)
    .map((r) => `${r.type} ${r.name} ${r.content}`)
    .sort();
}

beforeEach(async () => {
  sim = await startSim({ servers: ['cloudflare'], clock: { mode: 'virtual', autoAdvance: false } });
  zone = sim.world.dns.createZone('example.test');
  cf = client(sim.credentials.cloudflare.apiToken);
});

afterEach(async () => {
  await sim.stop();
});

describe('cloudflare zones', () => {
  it('finds a zone by name and reads it by id', async () => {
    sim.world.dns.createZone('other.test');
    const page = await cf.zones.list({ name: 'example.test' });
    expect(page.result.map((z) => z.id)).toEqual([zone.id]);
    expect(page.result[0].account.id).toBe(sim.credentials.cloudflare.accountId);
    expect(page.result_info).toEqual({ page: 1, per_page: 20, count: 1, total_count: 1, total_pages: 1 });
    const got = await cf.zones.get({ zone_id: zone.id });
    expect(got).toMatchObject({ id: zone.id, name: 'example.test', status: 'active' });
  });
});

describe('cloudflare DNS records', () => {
  it('creates, lists with filters, overwrites, edits and deletes records in the world', async () => {
    const a = await cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'app', content: '198.18.0.10', ttl: 60 });
    expect(a.name).toBe('app.example.test');
    expect(sim.world.dns.getRecord(zone.id, a.id)).toMatchObject({ content: '198.18.0.10', ttl: 60, proxied: false, proxiable: true });
    await cf.dns.records.create({ zone_id: zone.id, type: 'TXT', name: 'owner.example.test', content: 'heritage=shepherd', ttl: 1, comment: 'Managed' });

    const names = async (params: Omit<Cloudflare.DNS.RecordListParams, 'zone_id'>) => {
      const out: string[] = [];
      for await (const r of cf.dns.records.list({ zone_id: zone.id, ...params })) out.push(`${r.type} ${r.name}`);
      return out;
    };
    expect(await names({ type: 'A' })).toEqual(['A app.example.test']);
    expect(await names({ name: { exact: 'APP.example.test' } })).toEqual(['A app.example.test']);
    expect(await names({ comment: { exact: 'managed' } })).toEqual(['TXT owner.example.test']);
    expect(await names({ content: { startswith: '198.18.' } })).toEqual(['A app.example.test']);
    expect(await names({ type: 'TXT', name: { exact: 'app.example.test' }, match: 'any' })).toEqual(['A app.example.test', 'TXT owner.example.test']);

    const put = await cf.dns.records.update(a.id, { zone_id: zone.id, type: 'A', name: 'app.example.test', content: '198.18.0.11', ttl: 1 });
    expect(put).toMatchObject({ id: a.id, content: '198.18.0.11', ttl: 1 });
    expect(sim.world.dns.getRecord(zone.id, a.id)).toMatchObject({ content: '198.18.0.11', ttl: 1 });

    // PATCH without content keeps it; proxied records always carry the automatic TTL.
    await cf.dns.records.edit(a.id, { zone_id: zone.id, type: 'A', name: 'app.example.test', ttl: 3600, proxied: true });
    expect(sim.world.dns.getRecord(zone.id, a.id)).toMatchObject({ content: '198.18.0.11', proxied: true, ttl: 1 });
    expect(await cf.dns.records.get(a.id, { zone_id: zone.id })).toMatchObject({ proxied: true, content: '198.18.0.11' });

    expect(await cf.dns.records.delete(a.id, { zone_id: zone.id })).toEqual({ id: a.id });
    expect(sim.world.dns.getRecord(zone.id, a.id)).toBeUndefined();
    const gone = await refusal(cf.dns.records.get(a.id, { zone_id: zone.id }));
    expect(gone.status).toBe(404);
    expect(errorCodes(gone)).toEqual([81044]);
    expect(records()).toEqual(['TXT owner.example.test heritage=shepherd']);
  });

  it('auto-paginates 250 records and stops at the first empty page', async () => {
    // 250 records are more than a Free zone holds.
    sim.world.dns.setZonePlan(zone.id, 'pro');
    for (let i = 0; i < 250; i++) sim.world.dns.createRecord(zone.id, { type: 'A', name: `n${i}`, content: `198.18.1.${i}`, ttl: 60 });
    const seen = new Set<string>();
    for await (const r of cf.dns.records.list({ zone_id: zone.id })) seen.add(r.id);
    expect(seen.size).toBe(250);
    // Pages 1-3 hold 100 + 100 + 50 records; page 4 is empty and ends the iteration.
    expect(sim.counters.get('cloudflare', 'dns_records.list')).toBe(4);

    const last = await cf.dns.records.list({ zone_id: zone.id, page: 3 });
    expect(last.result_info).toEqual({ page: 3, per_page: 100, count: 50, total_count: 250, total_pages: 3 });
    const past = await cf.dns.records.list({ zone_id: zone.id, page: 4 });
    expect(past.result).toEqual([]);
    expect(past.result_info).toEqual({ page: 4, per_page: 100, count: 0, total_count: 250, total_pages: 3 });
  });

  it("refuses identical records, CNAME clashes, bad TTLs and bad content with Cloudflare's codes", async () => {
    await cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'app', content: '198.18.0.1', ttl: 60 });
    await cf.dns.records.create({ zone_id: zone.id, type: 'CNAME', name: 'www', content: 'app.example.test', ttl: 1 });

    const identical = await refusal(cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'app.example.test', content: '198.18.0.1', ttl: 300 }));
    expect(identical.status).toBe(400);
    expect(identical.errors[0]).toMatchObject({ code: 81058, message: 'An identical record already exists.' });
    const cnameOverA = await refusal(cf.dns.records.create({ zone_id: zone.id, type: 'CNAME', name: 'app', content: 'elsewhere.test', ttl: 1 }));
    expect(errorCodes(cnameOverA)).toEqual([81053]);
    const aOverCname = await refusal(cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'www', content: '198.18.0.2', ttl: 1 }));
    expect(errorCodes(aOverCname)).toEqual([81054]);

    for (const ttl of [30, 86_401]) {
      const err = await refusal(cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'short', content: '198.18.0.3', ttl }));
      expect(err.status).toBe(400);
      expect(err.errors[0]).toMatchObject({
        code: 1004,
        error_chain: [{ code: 9021, message: 'TTL must be between 60 and 86400 seconds, or 1 for Automatic.' }],
      });
    }
    const proxiedTxt = await refusal(cf.dns.records.create({ zone_id: zone.id, type: 'TXT', name: 'note', content: 'x', ttl: 1, proxied: true }));
    expect(errorCodes(proxiedTxt)).toEqual([9004]);
    const badIp = await refusal(cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'bad', content: '198.18.0.300', ttl: 1 }));
    expect(errorCodes(badIp)).toEqual([9005]);

    expect(records()).toEqual(['A app.example.test 198.18.0.1', 'CNAME www.example.test app.example.test']);
  });

  it('applies a batch as deletes, patches, puts, posts, and nothing at all when one operation fails', async () => {
    const dns = sim.world.dns;
    const app = dns.createRecord(zone.id, { type: 'A', name: 'app', content: '198.18.0.1', ttl: 60 });
    const api = dns.createRecord(zone.id, { type: 'A', name: 'api', content: '198.18.0.2', ttl: 60 });
    const owner = dns.createRecord(zone.id, { type: 'TXT', name: 'owner', content: 'v1', ttl: 60 });
    const before = records();
    await sim.clock.advance(1_000);

    const failed = await refusal(
      cf.dns.records.batch({
        zone_id: zone.id,
        deletes: [{ id: app.id }],
        posts: [
          { type: 'A', name: 'new', content: '198.18.0.3', ttl: 60 },
          { type: 'A', name: 'api', content: '198.18.0.2', ttl: 60 },
        ],
      }),
    );
    expect(errorCodes(failed)).toEqual([81058]);
    expect(records()).toEqual(before);

    // Re-posting the deleted record works only because deletes run before posts.
    const done = await cf.dns.records.batch({
      zone_id: zone.id,
      posts: [{ type: 'A', name: 'app.example.test', content: '198.18.0.1', ttl: 60 }],
      puts: [{ id: api.id, type: 'A', name: 'api.example.test', content: '198.18.0.9', ttl: 120 }],
      patches: [{ id: owner.id, type: 'TXT', name: 'owner.example.test', content: 'v2', ttl: 60 }],
      deletes: [{ id: app.id }],
    });
    expect(done.deletes?.map((r) => r.id)).toEqual([app.id]);
    expect(done.patches?.map((r) => r.content)).toEqual(['v2']);
    expect(done.puts?.map((r) => [r.id, r.content])).toEqual([[api.id, '198.18.0.9']]);
    expect(done.posts?.[0].id).not.toBe(app.id);
    expect(records()).toEqual(['A api.example.test 198.18.0.9', 'A app.example.test 198.18.0.1', 'TXT owner.example.test v2']);
    expect(dns.changes().filter((c) => c.at === sim.clock.now())).toHaveLength(4);

    const posts = Array.from({ length: 201 }, (_, i) => ({ type: 'TXT' as const, name: `t${i}`, content: 'x', ttl: 1 }));
    const tooMany = await refusal(cf.dns.records.batch({ zone_id: zone.id, posts }));
    expect(tooMany.status).toBe(400);
    expect(records()).toHaveLength(3);
  });
});

describe('cloudflare plans', () => {
  it('a Free zone refuses record tags and comments over 100 characters; a paid zone takes tags and 500 characters', async () => {
    expect((await cf.zones.get({ zone_id: zone.id })).plan).toMatchObject({ legacy_id: 'free' });
    const tagged = await refusal(cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'app', content: '198.18.0.1', ttl: 60, tags: ['owner:shepherd'] }));
    expect(tagged.status).toBe(400);
    expect(tagged.errors[0]).toMatchObject({
      code: 1004,
      message: 'DNS Validation Error',
      error_chain: [{ code: 9300, message: 'DNS record has 1 tags, exceeding the quota of 0.' }],
    });
    const long = await refusal(cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'app', content: '198.18.0.1', ttl: 60, comment: 'c'.repeat(101) }));
    expect(long.errors[0]).toMatchObject({
      code: 1004,
      error_chain: [{ code: 9313, message: 'DNS record comment exceeds the maximum length of 100 characters.' }],
    });
    const fits = await cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'app', content: '198.18.0.1', ttl: 60, comment: 'c'.repeat(100) });
    // An edit that adds a tag is refused the same way, and leaves the record as it was.
    const tagEdit = await refusal(cf.dns.records.edit(fits.id, { zone_id: zone.id, type: 'A', name: 'app.example.test', ttl: 60, tags: ['owner:shepherd'] }));
    expect(tagEdit.errors[0]).toMatchObject({ error_chain: [{ code: 9300, message: 'DNS record has 1 tags, exceeding the quota of 0.' }] });
    expect(sim.world.dns.getRecord(zone.id, fits.id)?.tags).toEqual([]);

    sim.world.dns.setZonePlan(zone.id, 'pro');
    expect((await cf.zones.get({ zone_id: zone.id })).plan).toMatchObject({ legacy_id: 'pro' });
    const edited = await cf.dns.records.edit(fits.id, {
      zone_id: zone.id,
      type: 'A',
      name: 'app.example.test',
      ttl: 60,
      tags: ['owner:shepherd'],
      comment: 'p'.repeat(500),
    });
    expect(edited.tags).toEqual(['owner:shepherd']);
    const tooLong = await refusal(cf.dns.records.edit(fits.id, { zone_id: zone.id, type: 'A', name: 'app.example.test', ttl: 60, comment: 'p'.repeat(501) }));
    expect(tooLong.errors[0]).toMatchObject({ error_chain: [{ code: 9313, message: 'DNS record comment exceeds the maximum length of 500 characters.' }] });
  });

  it('a Free zone created since September 2024 holds 200 records, an older one 1,000, a Pro zone 3,500', async () => {
    const fill = (zoneId: string, count: number) => {
      for (let i = 0; i < count; i++) sim.world.dns.createRecord(zoneId, { type: 'TXT', name: `r${i}`, content: 'x', ttl: 60 });
    };
    fill(zone.id, 200);
    const over = await refusal(cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'one-more', content: '198.18.0.1', ttl: 60 }));
    expect(over.status).toBe(400);
    expect(over.errors).toEqual([{ code: 81045, message: 'Record quota exceeded.' }]);
    expect(sim.world.dns.listRecords(zone.id)).toHaveLength(200);
    // A batch that deletes first makes room for its post; editing a record needs no room.
    const [first, second] = sim.world.dns.listRecords(zone.id);
    await cf.dns.records.batch({ zone_id: zone.id, deletes: [{ id: first.id }], posts: [{ type: 'A', name: 'one-more', content: '198.18.0.1', ttl: 60 }] });
    await cf.dns.records.edit(second.id, { zone_id: zone.id, type: 'TXT', name: second.name, content: 'y', ttl: 60 });
    expect(sim.world.dns.listRecords(zone.id)).toHaveLength(200);

    const older = sim.world.dns.createZone('older.test', { createdAt: Date.UTC(2024, 7, 31, 23, 59) });
    fill(older.id, 1000);
    expect(errorCodes(await refusal(cf.dns.records.create({ zone_id: older.id, type: 'A', name: 'x', content: '198.18.0.1', ttl: 60 })))).toEqual([81045]);

    const pro = sim.world.dns.createZone('pro.test', { plan: 'pro' });
    fill(pro.id, 3500);
    expect(errorCodes(await refusal(cf.dns.records.create({ zone_id: pro.id, type: 'A', name: 'x', content: '198.18.0.1', ttl: 60 })))).toEqual([81045]);
  });

  it('lists records by tag presence, absence and value, combined by tag_match and then by match', async () => {
    const pro = sim.world.dns.createZone('tags.test', { plan: 'pro' });
    const add = (name: string, tags: string[]) => sim.world.dns.createRecord(pro.id, { type: 'A', name, content: '198.18.0.1', ttl: 60, tags });
    add('web', ['Team:DNS', 'owner:shepherd-prod']);
    add('api', ['team:platform', 'owner:shepherd-dev']);
    add('db', ['team:data']);
    add('bare', []);
    const names = async (params: Omit<Cloudflare.DNS.RecordListParams, 'zone_id'>) => {
      const out: string[] = [];
      for await (const r of cf.dns.records.list({ zone_id: pro.id, ...params })) out.push(r.name.split('.')[0]);
      return out.sort();
    };
    expect(await names({ tag: { present: 'OWNER' } })).toEqual(['api', 'web']);
    expect(await names({ tag: { absent: 'owner' } })).toEqual(['bare', 'db']);
    expect(await names({ tag: { exact: 'team:dns' } })).toEqual(['web']);
    expect(await names({ tag: { exact: 'team:dn' } })).toEqual([]);
    expect(await names({ tag: { contains: 'owner:shepherd' } })).toEqual(['api', 'web']);
    expect(await names({ tag: { startswith: 'team:PLAT' } })).toEqual(['api']);
    expect(await names({ tag: { endswith: 'owner:-prod' } })).toEqual(['web']);
    // The value is matched on the named tag only.
    expect(await names({ tag: { contains: 'team:shepherd' } })).toEqual([]);

    expect(await names({ tag: { exact: 'team:data', present: 'owner' } })).toEqual([]);
    expect(await names({ tag: { exact: 'team:data', present: 'owner' }, tag_match: 'any' })).toEqual(['api', 'db', 'web']);
    // tag_match combines the tag filters; match then joins them with the others.
    expect(await names({ tag: { exact: 'team:data', present: 'owner' }, tag_match: 'any', name: { exact: 'bare.tags.test' }, match: 'any' })).toEqual([
      'api',
      'bare',
      'db',
      'web',
    ]);
    expect(await names({ tag: { exact: 'team:data', present: 'owner' }, tag_match: 'any', name: { startswith: 'w' } })).toEqual(['web']);
  });

  it('with cloudflare-plans switched off a Free zone takes tags, long comments and more than 200 records', async () => {
    await sim.stop();
    sim = await startSim({ servers: ['cloudflare'], clock: { mode: 'virtual', autoAdvance: false }, world: { kind: ['cloudflare-plans'] } });
    zone = sim.world.dns.createZone('example.test');
    cf = client(sim.credentials.cloudflare.apiToken);
    for (let i = 0; i < 200; i++) sim.world.dns.createRecord(zone.id, { type: 'TXT', name: `r${i}`, content: 'x', ttl: 60 });
    const created = await cf.dns.records.create({
      zone_id: zone.id,
      type: 'A',
      name: 'app',
      content: '198.18.0.1',
      ttl: 60,
      tags: ['owner:shepherd'],
      comment: 'c'.repeat(600),
    });
    expect(sim.world.dns.getRecord(zone.id, created.id)).toMatchObject({ tags: ['owner:shepherd'] });
    expect(sim.world.dns.listRecords(zone.id)).toHaveLength(201);
  });
});

describe('cloudflare auth and limits', () => {
  it("answers bad credentials in Cloudflare's format and changes nothing", async () => {
    const stranger = client('x'.repeat(40));
    const onRecords = await refusal(stranger.dns.records.create({ zone_id: zone.id, type: 'A', name: 'app', content: '198.18.0.1', ttl: 1 }));
    expect(onRecords.status).toBe(401);
    expect(errorCodes(onRecords)).toEqual([10000]);
    const onZones = await refusal(stranger.zones.list());
    expect(onZones.status).toBe(403);
    expect(errorCodes(onZones)).toEqual([9109]);
    const malformed = await refusal(client('short').zones.list());
    expect(malformed.status).toBe(400);
    expect(malformed.errors[0]).toMatchObject({ code: 6003, error_chain: [{ code: 6111 }] });
    expect(records()).toEqual([]);
  });

  it('answers 429 with retry-after once the token bucket is empty, then blocks for five minutes', async () => {
    sim.faults.set('cloudflare', '*', { rateLimit: { capacity: 3, refillPerSecond: 1 } });
    for (let i = 0; i < 3; i++) await cf.zones.list();
    const limited = await refusal(cf.zones.list());
    expect(limited.status).toBe(429);
    expect(limited.headers?.get('retry-after')).toBe('300');
    expect(errorCodes(limited)).toEqual([971]);

    await sim.clock.advance(60_000);
    const stillBlocked = await refusal(cf.dns.records.list({ zone_id: zone.id }));
    expect(stillBlocked.status).toBe(429);
    expect(stillBlocked.headers?.get('retry-after')).toBe('240');

    await sim.clock.advance(240_000);
    expect((await cf.zones.list()).result).toHaveLength(1);
  });
});

describe('resolver view', () => {
  it('a client that asked just before a DNS-only change keeps the old answer for the TTL', async () => {
    const created = await cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'app', content: '198.18.0.1', ttl: 60 });
    const createdAt = sim.clock.now();
    // An hour on, no client still holds the "no such name" it may have cached before the record existed.
    await sim.clock.advance(3_600_000);
    const queriedAt = sim.clock.now();
    await sim.clock.advance(1);
    await cf.dns.records.edit(created.id, { zone_id: zone.id, type: 'A', name: 'app.example.test', content: '198.18.0.2', ttl: 60 });
    const changedAt = sim.clock.now();
    const dns = sim.world.dns;

    expect(dns.resolve('app.example.test', 'A', { at: changedAt + 30_000, lastQueriedAt: queriedAt })).toMatchObject({
      contents: ['198.18.0.1'],
      cached: true,
      ttl: 60,
    });
    expect(dns.resolve('app.example.test', 'A', { at: queriedAt + 59_999, lastQueriedAt: queriedAt }).contents).toEqual(['198.18.0.1']);
    expect(dns.resolve('app.example.test', 'A', { at: queriedAt + 60_000, lastQueriedAt: queriedAt }).contents).toEqual(['198.18.0.2']);
    expect(dns.resolve('app.example.test', 'A').contents).toEqual(['198.18.0.2']);

    expect(dns.whenClientsSee('app.example.test', 'A', ['198.18.0.2'], { after: changedAt })).toBe(changedAt + 60_000);
    // Before the record existed clients cached "no such name" for the zone's negative TTL (1800 s).
    expect(dns.whenClientsSee('app.example.test', 'A', ['198.18.0.1'], { after: createdAt })).toBe(createdAt + 1_800_000);
    expect(sim.world.timeline.find((e) => e.type === 'dns.record-updated')).toMatchObject({ at: changedAt, subject: 'app.example.test' });
  });

  it('a proxied record switches origins at the edge at once', async () => {
    const www = await cf.dns.records.create({ zone_id: zone.id, type: 'A', name: 'www', content: '198.18.0.1', ttl: 3600, proxied: true });
    await sim.clock.advance(3_600_000);
    const queriedAt = sim.clock.now();
    await sim.clock.advance(1);
    await cf.dns.records.edit(www.id, { zone_id: zone.id, type: 'A', name: 'www.example.test', content: '198.18.0.2', ttl: 1 });
    const changedAt = sim.clock.now();

    expect(sim.world.dns.resolve('www.example.test', 'A', { at: changedAt, lastQueriedAt: queriedAt })).toMatchObject({
      contents: ['198.18.0.2'],
      proxied: true,
      cached: false,
    });
    expect(sim.world.dns.whenClientsSee('www.example.test', 'A', ['198.18.0.2'], { after: changedAt })).toBe(changedAt);
  });
});
