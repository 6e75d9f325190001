import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { EntrypointConfig } from '../../../config/types.js';
import { DnsRateLimitedError } from '../../../functions/adapters/dns/errors.js';
import type { DnsApi } from '../../../functions/adapters/dns/types.js';
import type { DnsNode } from '../../../functions/adapters/kube/dns-nodes.js';
import type { StoredCheckState } from '../../../functions/adapters/store/dns-check-states.js';
import type { OpenDnsAlert } from '../../../functions/decisions/dns/alerts.js';
import { alertResolvedSchema, conflictFoundSchema, noHealthyTargetSchema, recordsChangedSchema } from '../../../functions/decisions/dns/event-schemas.js';
import { DNS_DETAIL_TYPES } from '../../../functions/decisions/dns/failover-events.js';
import { ownershipComment } from '../../../functions/decisions/dns/ownership.js';
import type { DnsRunPlan } from '../../../functions/decisions/dns/run-input.js';
import type { ChangeBatch, ExistingRecord } from '../../../functions/decisions/dns/types.js';
import { BUSY_WAIT_SECONDS, type DnsFailoverDeps, reconcilePass } from '../../../functions/dns/failover.js';
import { OTHER_EVENTS } from '../../../tools/docs/events-doc.js';

const entrypoint = (name: string, extra: Partial<EntrypointConfig> = {}): EntrypointConfig =>
  ({
    name,
    zoneName: 'example.com',
    records: [`${name}.example.com`],
    type: 'A',
    ttl: 60,
    proxied: false,
    eligiblePools: ['home', 'aws'],
    addressSource: { from: 'external-ip' },
    fall: 3,
    rise: 2,
    maxChangesPerRun: 10,
    ...extra,
  }) as EntrypointConfig;

const node = (name: string, pool: string, ip: string, providerID?: string): DnsNode => ({
  view: {
    name,
    labels: { 'shepherd.io/pool': pool },
    annotations: {},
    ready: 'True',
    unschedulable: false,
    taints: [],
    addresses: [{ type: 'ExternalIP', address: ip }],
  },
  ...(providerID ? { providerID } : {}),
});

/** A zone in memory that applies batches as Cloudflare does (deletes, patches, posts), and fakes of the rest. */
function world(options: { records?: ExistingRecord[]; nodes: DnsNode[]; busy?: string[]; rateLimitOn?: string; checks?: Map<string, StoredCheckState> }) {
  const alerts = new Map<string, OpenDnsAlert>();
  const clock = { now: new Date('2026-11-30T12:00:00.000Z') };
  let records = [...(options.records ?? [])];
  let ids = 0;
  const batches: ChangeBatch[] = [];
  const audits: { event: string; detail: Record<string, unknown> }[] = [];
  const events: { detailType: string; detail: Record<string, unknown> }[] = [];
  const released: string[] = [];
  const remembered: Record<string, string> = {};
  const dns: DnsApi = {
    zoneId: async () => 'zone-1',
    recordsAt: async (_zone, names) => {
      if (options.rateLimitOn && names.some((n) => n.startsWith(`${options.rateLimitOn}.`)))
        throw new DnsRateLimitedError('Cloudflare rate-limited the API token; retry after 300 s.', 300);
      return records.filter((r) => names.includes(r.name));
    },
    applyBatch: async (_zone, batch) => {
      batches.push(batch);
      records = records.filter((r) => !batch.deletes.some((d) => d.id === r.id));
      const created = batch.posts.map((p) => ({ ...p, id: `new-${++ids}` }));
      records.push(...created);
      return { created, updated: [], deleted: batch.deletes.map((d) => d.id) };
    },
  };
  const deps: DnsFailoverDeps = {
    cluster: 'demo',
    nodes: async () => options.nodes,
    instanceOfClaim: async (claimId) => (claimId === 'claim-7' ? 'i-0kosmos' : undefined),
    healsInProgress: async () => ({}),
    rememberedAnnouncements: async () => ({ ...remembered }),
    rememberAnnouncements: async (a) => {
      Object.assign(remembered, a);
    },
    checkStates: async () => options.checks ?? new Map(),
    dns,
    takeLease: async (e) => (options.busy?.includes(e) ? { taken: false, holder: 'arn:other' } : { taken: true }),
    releaseLease: async (e) => {
      released.push(e);
    },
    // The alert store's conditions, in memory: open only if none is open, repeat or close only the one read.
    alerts: {
      open: async (e) => Object.fromEntries([...alerts].filter(([k]) => k.startsWith(`${e}/`)).map(([k, v]) => [k.split('/')[1], v])),
      put: async (e, kind, next, read) => {
        if (alerts.get(`${e}/${kind}`)?.lastAlertAt !== read?.lastAlertAt) return false;
        alerts.set(`${e}/${kind}`, next);
        return true;
      },
      close: async (e, kind, read) => alerts.get(`${e}/${kind}`)?.lastAlertAt === read.lastAlertAt && alerts.delete(`${e}/${kind}`),
    },
    now: () => clock.now,
    audit: async (event, detail) => {
      audits.push({ event, detail });
    },
    publish: async (e) => {
      events.push(...e);
    },
    log: () => undefined,
  };
  return { deps, batches, audits, events, released, clock, records: () => records };
}

const run = (entrypoints: string[], extra: Partial<DnsRunPlan> = {}): DnsRunPlan => ({
  entrypoints,
  reason: 'test',
  announcedNodes: {},
  announcedInstances: {},
  ...extra,
});
const owned = (name: string, content: string, id: string): ExistingRecord => ({
  id,
  name,
  type: 'A',
  content,
  ttl: 60,
  proxied: false,
  comment: ownershipComment('demo', name.split('.')[0]),
});

describe('Function: reconcilePass', () => {
  it('takes the node of an announced instance out in one batch, adding before removing, and audits and publishes the change', async () => {
    const w = world({
      records: [owned('app.example.com', '203.0.113.1', 'r1'), owned('app.example.com', '203.0.113.2', 'r2')],
      nodes: [node('home-1', 'home', '203.0.113.1'), node('aws-1', 'aws', '203.0.113.2', 'aws:///eu-west-3a/i-0abc'), node('aws-2', 'aws', '203.0.113.3')],
    });
    const result = await reconcilePass(
      run(['app'], { announcedInstances: { 'i-0abc': 'spot interruption warning (terminate)' } }),
      [entrypoint('app')],
      w.deps,
    );
    expect(result).toMatchObject({ pending: [], waitSeconds: 0, outcomes: [{ entrypoint: 'app', outcome: 'changed' }] });
    expect(w.batches).toHaveLength(1);
    expect(w.batches[0].posts.map((p) => p.content)).toEqual(['203.0.113.3']);
    expect(w.batches[0].deletes.map((d) => d.content)).toEqual(['203.0.113.2']);
    expect(w.audits[0]).toMatchObject({
      event: 'dns.records.changed',
      detail: {
        before: { 'app.example.com': ['203.0.113.1', '203.0.113.2'] },
        after: { 'app.example.com': ['203.0.113.1', '203.0.113.3'] },
        removed: [{ address: '203.0.113.2', node: 'aws-1', reason: 'going-away', detail: 'spot interruption warning (terminate) for i-0abc' }],
        // Each node whose address came or went: the entry is in its history (shepherd history NODE).
        nodeNames: ['aws-1', 'aws-2'],
      },
    });
    expect(w.events.map((e) => e.detailType)).toEqual(['Shepherd DNS Records Changed']);
    expect(w.events[0].detail).not.toHaveProperty('nodeNames');
    expect(w.released).toEqual(['app']);
    // A later run (another event, the reconcile) still keeps the announced node out, and finds nothing to do.
    const again = await reconcilePass(run(['app']), [entrypoint('app')], w.deps);
    expect(again.outcomes[0]).toMatchObject({ outcome: 'unchanged' });
    expect(w.batches).toHaveLength(1);
  });

  it('finds the Node of an announced instance through its claim when it has no providerID (Kosmos)', async () => {
    const kosmos = node('aws-k', 'aws', '203.0.113.2');
    kosmos.view.labels = { ...kosmos.view.labels, 'shepherd.io/claim': 'claim-7', 'shepherd.io/provider': 'aws' };
    const w = world({ records: [owned('app.example.com', '203.0.113.2', 'r2')], nodes: [node('home-1', 'home', '203.0.113.1'), kosmos] });
    await reconcilePass(run(['app'], { announcedInstances: { 'i-0kosmos': 'spot interruption warning (terminate)' } }), [entrypoint('app')], w.deps);
    expect(w.records().map((r) => r.content)).toEqual(['203.0.113.1']);
  });

  it('keeps the records and publishes an alert when no target is healthy', async () => {
    const w = world({ records: [owned('app.example.com', '203.0.113.1', 'r1')], nodes: [{ ...node('home-1', 'home', '203.0.113.1') }] });
    w.deps.healsInProgress = async () => ({ 'home-1': 'heal in progress' });
    const result = await reconcilePass(run(['app']), [entrypoint('app')], w.deps);
    expect(result.outcomes[0]).toMatchObject({ outcome: 'no-healthy-target' });
    expect(w.batches).toEqual([]);
    expect(w.records().map((r) => r.content)).toEqual(['203.0.113.1']);
    expect(w.events.map((e) => e.detailType)).toEqual(['Shepherd DNS No Healthy Target']);
    expect(w.events[0].detail).toMatchObject({ kept: { 'app.example.com': ['203.0.113.1'] }, since: '2026-11-30T12:00:00.000Z', repeat: false });
  });

  it('publishes a lasting alert once, again after the re-alert period, and its resolution once; the audit log has every run', async () => {
    const w = world({ records: [owned('app.example.com', '203.0.113.1', 'r1')], nodes: [{ ...node('home-1', 'home', '203.0.113.1') }] });
    const heal = { 'home-1': 'heal in progress' };
    w.deps.healsInProgress = async () => heal;
    const at = (iso: string) => {
      w.clock.now = new Date(iso);
    };
    await reconcilePass(run(['app']), [entrypoint('app')], w.deps);
    at('2026-11-30T12:05:00.000Z');
    await reconcilePass(run(['app']), [entrypoint('app')], w.deps);
    at('2026-11-30T12:59:59.000Z');
    await reconcilePass(run(['app']), [entrypoint('app')], w.deps);
    expect(w.events.map((e) => e.detailType)).toEqual(['Shepherd DNS No Healthy Target']);
    at('2026-11-30T13:00:00.000Z');
    await reconcilePass(run(['app']), [entrypoint('app')], w.deps);
    expect(w.events.map((e) => e.detail.repeat)).toEqual([false, true]);
    expect(w.events[1].detail.since).toBe('2026-11-30T12:00:00.000Z');
    delete (heal as Record<string, string>)['home-1'];
    at('2026-11-30T13:10:00.000Z');
    await reconcilePass(run(['app']), [entrypoint('app')], w.deps);
    await reconcilePass(run(['app']), [entrypoint('app')], w.deps);
    expect(w.events.map((e) => e.detailType)).toEqual(['Shepherd DNS No Healthy Target', 'Shepherd DNS No Healthy Target', 'Shepherd DNS Alert Resolved']);
    expect(w.events[2].detail).toMatchObject({
      entrypoint: 'app',
      alert: 'no-healthy-target',
      since: '2026-11-30T12:00:00.000Z',
      resolvedAt: '2026-11-30T13:10:00.000Z',
    });
    expect(w.audits.filter((a) => a.event === 'dns.no-healthy-target')).toHaveLength(4);
    expect(w.audits.filter((a) => a.event === 'dns.alert.resolved')).toHaveLength(1);
  });

  it('publishes nothing when another run opened the same alert first (its conditional write lost)', async () => {
    const w = world({ records: [owned('app.example.com', '203.0.113.1', 'r1')], nodes: [{ ...node('home-1', 'home', '203.0.113.1') }] });
    w.deps.healsInProgress = async () => ({ 'home-1': 'heal in progress' });
    w.deps.alerts = { ...w.deps.alerts, open: async () => ({}), put: async () => false };
    await reconcilePass(run(['app']), [entrypoint('app')], w.deps);
    expect(w.events).toEqual([]);
    expect(w.audits.map((a) => a.event)).toEqual(['dns.no-healthy-target']);
  });

  it('leaves an entrypoint another run holds pending, for a short wait, and does the others', async () => {
    const w = world({ nodes: [node('home-1', 'home', '203.0.113.1')], busy: ['app'] });
    const result = await reconcilePass(run(['app', 'api']), [entrypoint('app'), entrypoint('api')], w.deps);
    expect(result.pending).toEqual(['app']);
    expect(result.waitSeconds).toBe(BUSY_WAIT_SECONDS);
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['busy', 'changed']);
  });

  it("stops at a 429: that entrypoint and the rest wait Cloudflare's retry-after, and its lease is let go", async () => {
    const w = world({ nodes: [node('home-1', 'home', '203.0.113.1')], rateLimitOn: 'api' });
    const result = await reconcilePass(run(['app', 'api', 'www']), [entrypoint('app'), entrypoint('api'), entrypoint('www')], w.deps);
    expect(result.pending).toEqual(['api', 'www']);
    expect(result.waitSeconds).toBe(300);
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['changed', 'rate-limited']);
    expect(w.released).toEqual(['app', 'api']);
  });

  it('with an active check, serves a published address never checked, and waits for a new one to pass its checks', async () => {
    const check = { protocol: 'tcp', port: 443, timeoutMs: 2000 } as EntrypointConfig['check'];
    const w = world({
      records: [owned('app.example.com', '203.0.113.1', 'r1')],
      nodes: [node('home-1', 'home', '203.0.113.1'), node('aws-2', 'aws', '203.0.113.3')],
    });
    const first = await reconcilePass(run(['app']), [entrypoint('app', { check })], w.deps);
    expect(first.outcomes[0]).toMatchObject({ outcome: 'unchanged' });
    const checked = world({
      records: [owned('app.example.com', '203.0.113.1', 'r1')],
      nodes: [node('home-1', 'home', '203.0.113.1'), node('aws-2', 'aws', '203.0.113.3')],
      checks: new Map([['203.0.113.3', { healthy: true, passes: 2, failures: 0, checkedAt: 't', detail: 'connected in 3 ms' }]]),
    });
    const second = await reconcilePass(run(['app']), [entrypoint('app', { check })], checked.deps);
    expect(second.outcomes[0]).toMatchObject({ outcome: 'changed', after: { 'app.example.com': ['203.0.113.1', '203.0.113.3'] } });
  });

  it('with an active check, keeps a published undecided address and does not add an unpublished undecided one', async () => {
    const check = { protocol: 'tcp', port: 443, timeoutMs: 2000 } as EntrypointConfig['check'];
    const undecided = (passes: number, failures: number) => ({ undecided: true as const, passes, failures, checkedAt: 't', detail: 'd' });
    const w = world({
      records: [owned('app.example.com', '203.0.113.1', 'r1')],
      nodes: [node('home-1', 'home', '203.0.113.1'), node('aws-2', 'aws', '203.0.113.3')],
      // The published one failed once, the new one passed once: neither is decided (fall 3, rise 2 here).
      checks: new Map([
        ['203.0.113.1', undecided(0, 1)],
        ['203.0.113.3', undecided(1, 0)],
      ]),
    });
    const pass = await reconcilePass(run(['app']), [entrypoint('app', { check })], w.deps);
    expect(pass.outcomes[0]).toMatchObject({ outcome: 'unchanged' });
    expect(w.batches).toEqual([]);
  });

  it('with an active check, never adds a new address whose first check failed (undecided) or that was decided unhealthy', async () => {
    const check = { protocol: 'tcp', port: 443, timeoutMs: 2000 } as EntrypointConfig['check'];
    for (const state of [
      { undecided: true as const, passes: 0, failures: 1 },
      { healthy: false, passes: 0, failures: 3 },
    ]) {
      const w = world({
        records: [owned('app.example.com', '203.0.113.1', 'r1')],
        nodes: [node('home-1', 'home', '203.0.113.1'), node('aws-2', 'aws', '203.0.113.3')],
        checks: new Map([['203.0.113.3', { ...state, checkedAt: 't', detail: 'connect timeout after 2000 ms' }]]),
      });
      const pass = await reconcilePass(run(['app']), [entrypoint('app', { check })], w.deps);
      expect(pass.outcomes[0]).toMatchObject({ outcome: 'unchanged' });
      expect(w.records().map((r) => r.content)).toEqual(['203.0.113.1']);
    }
  });
});

/** What reconcilePass really publishes parses with the catalog's schema (docs/events.md), so the two cannot drift. */
describe('Function: reconcilePass (events against the catalog)', () => {
  const schemas: Record<string, z.ZodType> = {
    [DNS_DETAIL_TYPES.recordsChanged]: recordsChangedSchema,
    [DNS_DETAIL_TYPES.noHealthyTarget]: noHealthyTargetSchema,
    [DNS_DETAIL_TYPES.conflictFound]: conflictFoundSchema,
    [DNS_DETAIL_TYPES.alertResolved]: alertResolvedSchema,
  };

  it('every DnsFailover detail-type is in the catalog with its schema', () => {
    const { targetHealthChanged, ...failover } = DNS_DETAIL_TYPES;
    expect(Object.values(failover).sort()).toEqual(Object.keys(schemas).sort());
    for (const detailType of Object.values(DNS_DETAIL_TYPES)) expect(OTHER_EVENTS.map((e) => e.detailType)).toContain(detailType);
    expect(targetHealthChanged).toBe('Shepherd DNS Target Health Changed');
  });

  it('records changed, no healthy target, conflict found and alert resolved, as published, parse with their schemas', async () => {
    const foreign: ExistingRecord = { id: 'f1', name: 'app.example.com', type: 'A', content: '198.51.100.7', ttl: 300, proxied: false, comment: 'hand-made' };
    const w = world({
      records: [owned('app.example.com', '203.0.113.1', 'r1'), owned('app.example.com', '203.0.113.9', 'r9'), foreign],
      nodes: [node('home-1', 'home', '203.0.113.1'), node('aws-2', 'aws', '203.0.113.3')],
    });
    await reconcilePass(run(['app'], { announcedNodes: { 'home-1': 'heal in progress' } }), [entrypoint('app')], w.deps);
    const cordoned = node('aws-2', 'aws', '203.0.113.3');
    cordoned.view.unschedulable = true;
    w.deps.nodes = async () => [node('home-1', 'home', '203.0.113.1'), cordoned];
    w.deps.healsInProgress = async () => ({ 'home-1': 'heal in progress' });
    w.deps.dns.recordsAt = async (_zone, names) => w.records().filter((r) => names.includes(r.name) && r.id !== 'f1');
    await reconcilePass(run(['app']), [entrypoint('app')], w.deps);
    w.deps.healsInProgress = async () => ({});
    await reconcilePass(run(['app']), [entrypoint('app')], w.deps);
    const kinds = new Set(w.events.map((e) => e.detailType));
    expect([...kinds].sort()).toEqual(Object.keys(schemas).sort());
    for (const e of w.events) {
      const parsed = schemas[e.detailType].safeParse(e.detail);
      expect(parsed.success, `${e.detailType}: ${parsed.error?.message}`).toBe(true);
    }
  });
});
