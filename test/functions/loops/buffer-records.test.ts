import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusPublisher } from '../../../functions/adapters/events/bus-publisher.js';
import { DynamoBufferStateStore } from '../../../functions/adapters/store/buffer-state.js';
import { DynamoClaimStore } from '../../../functions/adapters/store/claims.js';
import { recordGrowth, recordPlan, recordRemoval } from '../../../functions/buffers/records.js';
import type { BufferRunPlan } from '../../../functions/buffers/run-plan.js';
import { BUFFER_DETAIL_SCHEMAS } from '../../../functions/decisions/buffer/event-schemas.js';
import { BUFFER_DETAIL_TYPES, BUFFER_SOURCE, type BufferEventKind } from '../../../functions/decisions/buffer/events.js';
import { bufferConfig } from '../../helpers/scale-buffer-local.js';

const NOW = '2026-11-30T12:00:00.000Z';

const doc = mockClient(DynamoDBDocumentClient);
const eb = mockClient(EventBridgeClient);

beforeEach(() => {
  doc.reset();
  eb.reset();
  doc.onAnyCommand().resolves({});
  eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) }));
});
afterEach(() => {
  doc.restore();
  eb.restore();
});

function deps() {
  const client = new DynamoDBClient({ region: 'eu-west-3' });
  return {
    claims: new DynamoClaimStore('shepherd-test', client),
    state: new DynamoBufferStateStore('shepherd-test', client),
    bus: new BusPublisher('shepherd-test', BUFFER_SOURCE, new EventBridgeClient({ region: 'eu-west-3' }), async () => {}),
  };
}

function plan(extra: Partial<BufferRunPlan> = {}): BufferRunPlan {
  return {
    trigger: 'provider-degraded',
    now: NOW,
    grow: [{ pool: 'scw-buffer', count: 2, reason: 'aws is dark: its 2 nodes of capacity asked of scw-buffer' }],
    remove: [],
    scaleUp: {
      scaleUps: [{ pool: 'scw-buffer', count: 2, pods: ['default/web-1', 'default/web-2'], addedHourlyCost: 0.08 }],
      unplaceable: [],
      waiting: [],
      skipped: [],
      onUpcoming: [],
    },
    scaleDown: { remove: [], kept: [] },
    pendingPods: 2,
    standingInFor: ['aws'],
    degradedProviders: ['aws'],
    memory: { unneededSince: {}, providers: [{ provider: 'aws', degraded: true }] },
    ...extra,
  };
}

/** Every event the records put on the bus: detail-type, source and the parsed detail. */
function published(): { detailType: string; source: string; detail: Record<string, unknown> }[] {
  return eb
    .commandCalls(PutEventsCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .map((e) => ({ detailType: e.DetailType as string, source: e.Source as string, detail: JSON.parse(e.Detail as string) }));
}

function kindOf(detailType: string): BufferEventKind {
  const kind = (Object.keys(BUFFER_DETAIL_TYPES) as BufferEventKind[]).find((k) => BUFFER_DETAIL_TYPES[k] === detailType);
  if (!kind) throw new Error(`${detailType} is not a buffer detail-type`);
  return kind;
}

/** Each published detail parses with the catalog's schema of its detail-type (docs/events.md). */
function expectCatalogued(events: ReturnType<typeof published>): void {
  for (const e of events) {
    expect(e.source).toBe(BUFFER_SOURCE);
    const parsed = BUFFER_DETAIL_SCHEMAS[kindOf(e.detailType)].safeParse(e.detail);
    expect(parsed.success, `${e.detailType}: ${parsed.error?.message}`).toBe(true);
  }
}

describe('Function: recordGrowth / recordPlan / recordRemoval (the shepherd.buffers events)', () => {
  it('publishes "Scaled Up" with a detail the catalog schema accepts', async () => {
    await recordGrowth(deps(), bufferConfig(), plan(), [{ pool: 'scw-buffer', count: 2, ok: true, reason: plan().grow[0].reason }]);
    const events = published();
    expect(events.map((e) => e.detailType)).toEqual([BUFFER_DETAIL_TYPES.scaledUp]);
    expect(events[0].detail).toMatchObject({ pool: 'scw-buffer', added: 2, standingInFor: ['aws'] });
    expectCatalogued(events);
  });

  it('says in "Scaled Up" which pools the run passed over and why (the fallback trace)', async () => {
    const fallback = plan({
      trigger: 'pods-unschedulable',
      grow: [{ pool: 'gcp-amd64', count: 1, reason: 'pods-unschedulable: 1 pod(s) need it' }],
      scaleUp: {
        scaleUps: [{ pool: 'gcp-amd64', count: 1, pods: ['default/web-1'], addedHourlyCost: 0.08 }],
        unplaceable: [],
        waiting: [],
        skipped: [{ pool: 'scw-buffer', reason: 'pool scw-buffer is backed off until 2026-11-30T12:03:00.000Z after a failed scale-up' }],
        onUpcoming: [],
      },
    });
    await recordGrowth(deps(), bufferConfig(), fallback, [{ pool: 'gcp-amd64', count: 1, ok: true, reason: fallback.grow[0].reason }]);
    const events = published();
    expect(events[0].detail).toMatchObject({ pool: 'gcp-amd64', added: 1, skipped: fallback.scaleUp.skipped });
    const audited = doc.commandCalls(PutCommand).map((c) => c.args[0].input.Item as { event?: string; detail?: Record<string, unknown> });
    expect(audited.find((i) => i.event === 'buffer-scaled-up')?.detail).toMatchObject({ pool: 'gcp-amd64', skipped: fallback.scaleUp.skipped });
    expectCatalogued(events);
  });

  it('publishes "Scale Up Failed" for a backoff and for no capacity, both accepted by the schema', async () => {
    const nested = (cause: string) => ({ Error: 'States.TaskFailed', Cause: JSON.stringify({ Cause: `${cause} {"pool":"scw-buffer"}` }) });
    await recordGrowth(deps(), bufferConfig(), plan(), [{ pool: 'scw-buffer', count: 2, ok: false, error: nested('The node never became Ready.') }]);
    await recordGrowth(deps(), bufferConfig(), plan(), [
      { pool: 'scw-buffer', count: 2, ok: false, error: nested('InsufficientCapacityError: no capacity for DEV1-M.') },
    ]);
    const events = published();
    expect(events.map((e) => e.detailType)).toEqual([BUFFER_DETAIL_TYPES.scaleUpFailed, BUFFER_DETAIL_TYPES.scaleUpFailed]);
    expect(events[0].detail).toMatchObject({ outOfCapacity: false, failed: 2, errors: ['The node never became Ready.'] });
    expect(events[0].detail.backedOffUntil).toBeTypeOf('string');
    expect(events[1].detail).toMatchObject({ outOfCapacity: true });
    expect(events[1].detail.outOfCapacityUntil).toBeTypeOf('string');
    expectCatalogued(events);
  });

  it('publishes "Scale Up Skipped" when pods wait and nothing is added, accepted by the schema', async () => {
    const skippedPlan = plan({
      trigger: 'pods-unschedulable',
      grow: [],
      degradedProviders: [],
      standingInFor: [],
      scaleUp: {
        scaleUps: [],
        unplaceable: [{ pod: 'default/arm-1', reasons: { 'scw-buffer': 'needs arm64', 'gcp-amd64': 'needs arm64' } }],
        waiting: [{ pod: 'default/web-3', reason: 'scw-buffer is at its maximum' }],
        skipped: [{ pool: 'scw-buffer', reason: 'at its maximum (5)' }],
        onUpcoming: [],
      },
    });
    await recordPlan(deps(), skippedPlan);
    const events = published();
    expect(events.map((e) => e.detailType)).toEqual([BUFFER_DETAIL_TYPES.scaleUpSkipped]);
    expect(events[0].detail.unplaceable).toEqual(skippedPlan.scaleUp.unplaceable);
    expectCatalogued(events);
  });

  it('publishes "Scaled Down" only for nodes removed, accepted by the schema', async () => {
    const downPlan = plan({
      trigger: 'reconcile',
      grow: [],
      remove: [
        { nodeName: 'scw-buffer-1', pool: 'scw-buffer', reason: 'unneeded for 10 min; aws back for 10 min' },
        { nodeName: 'scw-buffer-2', pool: 'scw-buffer', reason: 'unneeded for 10 min; aws back for 10 min' },
      ],
    });
    await recordRemoval(deps(), downPlan, [
      { pool: 'scw-buffer', nodeName: 'scw-buffer-1', ok: true },
      { pool: 'scw-buffer', nodeName: 'scw-buffer-2', ok: false, error: { Cause: 'The drain was blocked.' } },
    ]);
    const events = published();
    expect(events.map((e) => [e.detailType, e.detail.nodeName])).toEqual([[BUFFER_DETAIL_TYPES.scaledDown, 'scw-buffer-1']]);
    expectCatalogued(events);
  });

  it('the schemas refuse a detail that lost a field consumers rely on', () => {
    const { pool: _pool, ...withoutPool } = { trigger: 'reconcile', pendingPods: 0, degradedProviders: [], pool: 'scw-buffer', nodeName: 'n', removed: true };
    expect(BUFFER_DETAIL_SCHEMAS.scaledDown.safeParse(withoutPool).success).toBe(false);
  });

  it('recordPlan clears the stand-in memory of the pools the plan found back at their min, and keeps the rest of it', async () => {
    const hold = { size: 1, until: '2026-11-30T13:00:00.000Z' };
    doc.on(GetCommand).resolves({ Item: { pk: 'BUFFER#scw-buffer', sk: 'STATE', standingInFor: ['aws'], hold } });
    await recordPlan(deps(), plan({ trigger: 'reconcile', grow: [], standingInFor: [], standInsEnded: ['scw-buffer'] }));
    const items = doc.commandCalls(PutCommand).map((c) => c.args[0].input.Item as Record<string, unknown>);
    expect(items.filter((i) => i.pk === 'BUFFER#scw-buffer')).toEqual([{ pk: 'BUFFER#scw-buffer', sk: 'STATE', pool: 'scw-buffer', hold }]);
  });
});
