import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import { type ChaosServer, startChaosServer } from '../../local/chaos/chaos-server.js';
import { ChaosService } from '../../local/chaos/chaos-service.js';
import type { ClearAnswer, ErrorAnswer, InjectAnswer, ListAnswer } from '../../local/chaos/types.js';
import { type Sim, startSim } from '../../sim/index.js';

let sim: Sim;
let server: ChaosServer;

beforeAll(async () => {
  sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual', autoAdvance: false } });
  server = await startChaosServer(new ChaosService({ sim, config: loadConfigFile('shepherd.config.json') }));
});

afterAll(async () => {
  await server?.close();
  await sim?.stop();
});

const call = async (method: string, body?: unknown, token = server.token) => {
  const res = await fetch(`${server.url}/faults`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as InjectAnswer & ListAnswer & ClearAnswer & ErrorAnswer };
};

describe('Function: startChaosServer', () => {
  it('listens on loopback only and answers 401, changing nothing, without the bearer token', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    const denied = await call('POST', { fault: 'api-down' }, 'not-the-token');
    expect(denied.status).toBe(401);
    expect(sim.world.isClusterApiDown()).toBe(false);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('injects, lists with the end on the simulated clock, ends the fault at that time, and clears', async () => {
    const injected = await call('POST', { fault: 'partition', provider: 'home', forMs: 60_000 });
    expect(injected.status).toBe(200);
    expect(injected.body.injected).toMatchObject({ fault: 'partition', subject: 'home', lasting: true, endsAt: sim.clock.iso(sim.clock.now() + 60_000) });
    expect((await call('GET')).body.faults.map((f) => f.fault)).toEqual(['partition']);
    await sim.clock.advance(60_000);
    expect((await call('GET')).body.faults).toEqual([]);

    await call('POST', { fault: 'api-down' });
    expect(sim.world.isClusterApiDown()).toBe(true);
    const cleared = await call('DELETE');
    expect(cleared.body.cleared.map((f) => f.fault)).toEqual(['api-down']);
    expect(sim.world.isClusterApiDown()).toBe(false);
  });

  it('answers 400 naming the problem: bad JSON, an unknown fault, a duration for an instant fault', async () => {
    expect(await call('POST', '{not json')).toMatchObject({ status: 400, body: { error: { code: 'BadRequest' } } });
    const unknown = await call('POST', { fault: 'meteor' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('unknown fault "meteor"; the faults are provider-dark, spot-reclaim, delete-vm, api-down, partition, flapping');
    const instant = await call('POST', { fault: 'delete-vm', target: 'x', forMs: 1000 });
    expect(instant.body.error).toEqual({ code: 'InstantFault', message: 'delete-vm happens at once: it takes no duration' });
  });
});
