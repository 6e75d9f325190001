import { afterEach, describe, expect, it, vi } from 'vitest';
import { KubeClient } from '../../../functions/adapters/kube/client.js';
import { KubeApiError, KubeConnectionError } from '../../../functions/adapters/kube/errors.js';
import { EVENT_SOURCE, type EventCalls, executionName, recordNodeEvent } from '../../../functions/adapters/kube/events.js';
import { parseKubeconfig } from '../../../functions/adapters/kube/kubeconfig.js';
import { type Sim, startSim } from '../../../sim/index.js';

/**
 * The events adapter: against a fake of the three KubeClient calls it makes (what it sends, how it aggregates, that
 * it never throws), and over the wire against the simulated API server (what kubectl's field selectors then find).
 */

type Stored = Record<string, unknown> & { metadata: { name: string }; count: number; lastTimestamp: string };

/** Events kept in memory; `create` answers 409 for a name it has, as the API server does. */
function fakeEvents() {
  const objects = new Map<string, Stored>();
  const calls: string[] = [];
  const client: EventCalls = {
    async create<T>(path: string, body: unknown): Promise<T> {
      calls.push(`POST ${path}`);
      const ev = structuredClone(body) as Stored;
      if (objects.has(ev.metadata.name)) throw new KubeApiError(409, 'AlreadyExists', `events "${ev.metadata.name}" already exists`);
      objects.set(ev.metadata.name, ev);
      return ev as T;
    },
    async get<T>(path: string): Promise<T | undefined> {
      calls.push(`GET ${path}`);
      return objects.get(decodeURIComponent(path.split('/').pop() as string)) as T | undefined;
    },
    async patch<T>(path: string, body: unknown, strategy: string): Promise<T> {
      calls.push(`PATCH ${path} ${strategy}`);
      const ev = objects.get(decodeURIComponent(path.split('/').pop() as string)) as Stored;
      Object.assign(ev, body);
      return ev as T;
    },
  };
  return { client, objects, calls };
}

function captureStderr(): () => Array<Record<string, unknown>> {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  return () => lines.map((l) => JSON.parse(l));
}

const node = { name: 'ip-10-0-0-2.eu-west-3.compute.internal', uid: '6f1c2d3e-0000-4000-8000-000000000001' };
const labelled = { reason: 'Labelled', type: 'Normal' as const, message: 'Labelled for pool aws-amd64 by execution cli-one.' };

describe('Function: recordNodeEvent', () => {
  afterEach(() => vi.restoreAllMocks());

  it('creates a core/v1 Event in default about the Node (kind, name, uid), from multicloud-shepherd, count 1', async () => {
    const fake = fakeEvents();
    const at = new Date('2026-11-30T09:00:00.250Z');
    expect(await recordNodeEvent(fake.client, node, labelled, at)).toBe(true);
    expect(fake.calls).toEqual(['POST /api/v1/namespaces/default/events']);
    const [ev] = fake.objects.values();
    expect(ev).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { namespace: 'default' },
      involvedObject: { apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid },
      reason: 'Labelled',
      type: 'Normal',
      message: labelled.message,
      source: { component: EVENT_SOURCE },
      reportingComponent: 'multicloud-shepherd',
      firstTimestamp: '2026-11-30T09:00:00Z',
      lastTimestamp: '2026-11-30T09:00:00Z',
      count: 1,
    });
    expect(ev.metadata.name).toMatch(new RegExp(`^${node.name.replace(/\./g, '\\.')}\\.[0-9a-f]{16}$`));
  });

  it('the same Event again raises count and lastTimestamp (409, get, merge patch); another message is another Event', async () => {
    const fake = fakeEvents();
    await recordNodeEvent(fake.client, node, labelled, new Date('2026-11-30T09:00:00Z'));
    expect(await recordNodeEvent(fake.client, node, labelled, new Date('2026-11-30T09:05:00Z'))).toBe(true);
    expect(fake.calls.slice(1)).toEqual([
      'POST /api/v1/namespaces/default/events',
      expect.stringMatching(/^GET \/api\/v1\/namespaces\/default\/events\/ip-10-0-0-2\./),
      expect.stringMatching(/^PATCH \/api\/v1\/namespaces\/default\/events\/ip-10-0-0-2\..* merge$/),
    ]);
    expect([...fake.objects.values()]).toEqual([
      expect.objectContaining({ count: 2, firstTimestamp: '2026-11-30T09:00:00Z', lastTimestamp: '2026-11-30T09:05:00Z' }),
    ]);
    await recordNodeEvent(fake.client, node, { ...labelled, message: 'Labelled for pool aws-amd64 by execution cli-two.' });
    expect(fake.objects.size).toBe(2);
  });

  it('names the Node by name as its uid when the uid is unknown, as the kubelet does', async () => {
    const fake = fakeEvents();
    await recordNodeEvent(fake.client, { name: 'nuc-1' }, labelled);
    expect([...fake.objects.values()][0].involvedObject).toEqual({ apiVersion: 'v1', kind: 'Node', name: 'nuc-1', uid: 'nuc-1' });
  });

  it('never throws: a refusal (403) or a lost connection is logged as a warning and answered false', async () => {
    const stderr = captureStderr();
    const fake = fakeEvents();
    fake.client.create = async () => {
      throw new KubeApiError(403, 'Forbidden', 'events is forbidden: User "shepherd" cannot create resource "events"');
    };
    expect(await recordNodeEvent(fake.client, node, labelled)).toBe(false);
    fake.client.create = async () => {
      throw new KubeConnectionError('ECONNRESET', 'Kubernetes API POST: connection failed (ECONNRESET)');
    };
    expect(await recordNodeEvent(fake.client, node, labelled)).toBe(false);
    expect(stderr().map((l) => [l.level, l.message, (l.error as { name: string }).name, l.reason])).toEqual([
      ['WARN', 'could not record a Kubernetes event; going on', 'KubeApiError', 'Labelled'],
      ['WARN', 'could not record a Kubernetes event; going on', 'KubeConnectionError', 'Labelled'],
    ]);
  });
});

describe('Function: executionName', () => {
  it('is the last part of the execution ARN', () => {
    expect(executionName('arn:aws:states:eu-west-3:123456789012:execution:shepherd-kosmos-demo-provision-node:cli-one')).toBe('cli-one');
    expect(executionName(undefined)).toBe('an unnamed execution');
  });
});

describe('Function: recordNodeEvent (simulated API server)', () => {
  let sim: Sim | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('records Events that the field selectors kubectl describe node sends find, aggregated on a repeat', async () => {
    sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual' } });
    sim.world.addHomeMachine('nuc-1');
    const s = sim;
    await s.clock.until(() => s.world.kube.get('nodes', undefined, 'nuc-1') !== undefined, 60_000, 'node registered');
    const uid = s.world.kube.mustGet('nodes', undefined, 'nuc-1').metadata.uid as string;
    const client = new KubeClient(parseKubeconfig(s.kubeconfig, 'sim'));
    const ref = { name: 'nuc-1', uid };
    expect(await recordNodeEvent(client, ref, labelled)).toBe(true);
    expect(await recordNodeEvent(client, ref, labelled)).toBe(true);
    expect(await recordNodeEvent(client, ref, { reason: 'Removed', type: 'Warning', message: 'Removed by execution cli-one.' })).toBe(true);

    const selector = `involvedObject.name=nuc-1,involvedObject.namespace=,involvedObject.kind=Node,involvedObject.uid=${uid},source=${EVENT_SOURCE}`;
    const found = await client.list<Stored>('/api/v1/events', { fieldSelector: selector });
    expect(found.map((e) => [e.reason, e.type, e.count])).toEqual(
      expect.arrayContaining([
        ['Labelled', 'Normal', 2],
        ['Removed', 'Warning', 1],
      ]),
    );
    expect(found).toHaveLength(2);
  });
});
