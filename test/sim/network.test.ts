import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import { createTargetProbe, PROBE_PROXY_ENV } from '../../functions/adapters/probe/net-probe.js';
import type { ActiveCheck, TargetProbe } from '../../functions/adapters/probe/types.js';
import { ChaosService } from '../../local/chaos/chaos-service.js';
import { addWorkload, type Sim, startSim, WEB_HOST_PORTS } from '../../sim/index.js';
import { buildFleet } from '../../sim/scenarios.js';
import { parseAuthority } from '../../sim/servers/network/gateway.js';
import type { KindSwitches } from '../../sim/world/unkindness.js';

/** The shipped config with an active check of this protocol on its entrypoint (the shipped one has none). */
function checkedConfig(protocol: 'https' | 'tcp') {
  const config = loadConfigFile('shepherd.config.json');
  const check = protocol === 'tcp' ? { protocol, port: 443, timeoutMs: 2000 } : { protocol, port: 443, path: '/healthz', timeoutMs: 2000 };
  return { ...config, dns: config.dns && { ...config.dns, entrypoints: config.dns.entrypoints.map((e) => ({ ...e, check })) } };
}

// The simulated public network, probed the way the DNS checks probe it: the product's net-probe, dialing through the
// simulator's CONNECT gateway (SHEPHERD_PROBE_PROXY), then real TCP, TLS and HTTP to the node's web server.

let sim: Sim | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

interface Fleet {
  sim: Sim;
  probe: TargetProbe;
  /** The home node running the web workload (hostPorts 80 and 443), its address, and an AWS node running none. */
  web: { node: string; address: string };
  bare: { node: string; address: string; vmId: string };
  spare: { node: string; address: string };
}

/**
 * One AWS and two home nodes, the web workload pinned to the first home node. `kind` defaults to no lost SYNs: these
 * tests are about what answers, not about packet loss, and a lost SYN would add a second to one of them.
 */
async function fleet(kind: KindSwitches = ['tcp-syn-loss']): Promise<Fleet> {
  sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual', autoAdvance: false }, world: { kind } });
  const { world, clock } = sim;
  buildFleet(world, { aws: 1, home: 2 });
  addWorkload(world, 'web', 1, { cpu: '250m', memory: '256Mi' }, { 'kubernetes.io/hostname': 'home-nuc-1' }, WEB_HOST_PORTS);
  await clock.advance(200_000);
  const [home1, home2] = world.listVms('home');
  const [aws] = world.listVms('aws');
  const webPod = world.kube.list('pods').find((p) => p.metadata.labels?.app === 'web');
  expect(webPod?.status.phase).toBe('Running');
  expect(webPod?.spec.nodeName).toBe(home1.nodeName);
  expect(aws.nodeName).toBeTruthy();
  return {
    sim,
    probe: createTargetProbe({ [PROBE_PROXY_ENV]: sim.endpoints.network }),
    web: { node: home1.nodeName as string, address: home1.publicIp },
    bare: { node: aws.nodeName as string, address: aws.publicIp, vmId: aws.id },
    spare: { node: home2.nodeName as string, address: home2.publicIp },
  };
}

const tcp = (port: number, timeoutMs = 2000): ActiveCheck => ({ protocol: 'tcp', port, timeoutMs });
const http = (timeoutMs = 2000): ActiveCheck => ({ protocol: 'http', port: 80, path: '/healthz', timeoutMs });
const https = (timeoutMs = 2000): ActiveCheck => ({ protocol: 'https', port: 443, path: '/healthz', timeoutMs });

describe('Simulator: public network (CONNECT gateway)', () => {
  it('a running node serving the web workload accepts TCP and answers 200 over HTTP and HTTPS', async () => {
    const { probe, web } = await fleet();
    expect(await probe.probe({ address: web.address, check: tcp(443) })).toMatchObject({
      passed: true,
      detail: expect.stringMatching(/^connected in \d+ ms$/),
    });
    expect(await probe.probe({ address: web.address, check: http() })).toMatchObject({ passed: true, detail: 'HTTP 200' });
    expect(await probe.probe({ address: web.address, check: https() })).toMatchObject({ passed: true, detail: 'HTTP 200' });
  });

  it('a running VM with nothing on the port refuses at once', async () => {
    const { probe, bare, web } = await fleet();
    const refused = await probe.probe({ address: bare.address, check: tcp(443, 5000) });
    expect(refused).toMatchObject({ passed: false, detail: 'connection refused' });
    expect(refused.elapsedMs).toBeLessThan(1000);
    expect(await probe.probe({ address: web.address, check: tcp(8080, 5000) })).toMatchObject({ passed: false, detail: 'connection refused' });
  });

  it('a powered-off provider black-holes its addresses: connect timeout at the check timeout, and back when restored', async () => {
    const { sim, probe, web } = await fleet();
    sim.world.setProviderDark('home', true);
    const dark = await probe.probe({ address: web.address, check: http(400) });
    expect(dark).toMatchObject({ passed: false, detail: 'connect timeout after 400 ms' });
    expect(dark.elapsedMs).toBeGreaterThanOrEqual(390);
    expect(dark.elapsedMs).toBeLessThan(2000);
    sim.world.setProviderDark('home', false);
    expect(await probe.probe({ address: web.address, check: http() })).toMatchObject({ passed: true, detail: 'HTTP 200' });
  });

  it('a deleted VM and an address no VM has time out; a stopped VM times out too', async () => {
    const { sim, probe, bare, spare } = await fleet();
    sim.world.terminateVm(bare.vmId);
    await sim.clock.advance(30_000);
    expect(await probe.probe({ address: bare.address, check: tcp(22, 300) })).toMatchObject({ passed: false, detail: 'connect timeout after 300 ms' });
    expect(await probe.probe({ address: '198.51.100.77', check: tcp(443, 300) })).toMatchObject({ passed: false, detail: 'connect timeout after 300 ms' });
    const home2 = sim.world.listVms('home').find((v) => v.nodeName === spare.node);
    sim.world.stopVm(home2?.id as string);
    await sim.clock.advance(30_000);
    expect(sim.world.getVm(home2?.id as string)?.state).toBe('stopped');
    expect(await probe.probe({ address: spare.address, check: tcp(443, 300) })).toMatchObject({ passed: false, detail: 'connect timeout after 300 ms' });
  });

  it('a partitioned node times out, and answers again once the partition heals', async () => {
    const { sim, probe, web } = await fleet();
    sim.world.setPartition([web.node], true);
    expect(await probe.probe({ address: web.address, check: https(300) })).toMatchObject({ passed: false, detail: 'connect timeout after 300 ms' });
    sim.world.setPartition([web.node], false);
    expect(await probe.probe({ address: web.address, check: https() })).toMatchObject({ passed: true, detail: 'HTTP 200' });
  });

  it('a node whose web pod was evicted (drain) stops answering HTTP: the port refuses once the pod is gone', async () => {
    const { sim, probe, web } = await fleet();
    const { world, clock } = sim;
    world.kube.mutate('nodes', undefined, web.node, (n) => {
      n.spec.unschedulable = true;
    });
    const pod = world.kube.list('pods').find((p) => p.metadata.labels?.app === 'web');
    world.cluster.evictPod('default', pod?.metadata.name as string);
    await clock.advance(60_000);
    expect(world.kube.list('pods').filter((p) => p.spec.nodeName === web.node && p.metadata.labels?.app === 'web')).toEqual([]);
    expect(await probe.probe({ address: web.address, check: http() })).toMatchObject({ passed: false, detail: 'connection refused' });
    expect(await probe.probe({ address: web.address, check: tcp(443) })).toMatchObject({ passed: false, detail: 'connection refused' });
  });

  it('a flapping fault (shepherd chaos flapping) turns the health endpoint 503, 200, 503 every period; TCP still passes; clear ends it', async () => {
    const { sim, probe, web } = await fleet();
    const chaos = new ChaosService({ sim, config: checkedConfig('https') });
    const injected = await chaos.inject({ fault: 'flapping', target: web.node, periodMs: 20_000 });
    expect(injected).toMatchObject({ fault: 'flapping', lasting: true });
    const status = async () => (await probe.probe({ address: web.address, check: https() })).detail;
    expect(await status()).toBe('HTTP 503');
    expect(await probe.probe({ address: web.address, check: tcp(443) })).toMatchObject({ passed: true });
    await sim.clock.advance(20_000);
    expect(await status()).toBe('HTTP 200');
    await sim.clock.advance(19_000);
    expect(await status()).toBe('HTTP 200');
    await sim.clock.advance(1_000);
    expect(await status()).toBe('HTTP 503');
    await chaos.clear();
    expect(await status()).toBe('HTTP 200');
    expect(sim.world.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['network.flapping', 'network.flapping-ended']));
  });

  it('the flapping fault refuses, naming the config key, when no entrypoint has an HTTP(S) check (nothing would see it)', async () => {
    const { sim, web } = await fleet();
    for (const config of [loadConfigFile('shepherd.config.json'), checkedConfig('tcp')]) {
      const chaos = new ChaosService({ sim, config });
      await expect(chaos.inject({ fault: 'flapping', target: web.node })).rejects.toThrow(
        /no DNS entrypoint has an HTTP\(S\) check.*add dns\.entrypoints\[\]\.check/,
      );
      expect(chaos.list()).toEqual([]);
    }
    expect(sim.world.timeline.map((e) => e.type)).not.toContain('network.flapping');
  });

  it('the flapping fault names a node, and refuses a period that is not positive', async () => {
    const { sim } = await fleet();
    const chaos = new ChaosService({ sim, config: checkedConfig('https') });
    await expect(chaos.inject({ fault: 'flapping' })).rejects.toThrow(/name a node or a VM id/);
    await expect(chaos.inject({ fault: 'flapping', target: 'home-nuc-1', periodMs: 0 })).rejects.toThrow(/positive number of milliseconds/);
  });

  it('unkind (tcp-syn-loss): now and then a SYN is lost and the connect takes the 1 s retransmission longer; kind: never', async () => {
    const unkind = await fleet([]);
    const slow = async (f: Fleet) => {
      const elapsed: number[] = [];
      for (let i = 0; i < 200; i++) elapsed.push((await f.probe.probe({ address: f.web.address, check: tcp(443, 3000) })).elapsedMs);
      return elapsed.filter((ms) => ms >= 1000).length;
    };
    const lost = await slow(unkind);
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBeLessThan(10);
    await sim?.stop();
    expect(await slow(await fleet(['tcp-syn-loss']))).toBe(0);
  });
});

describe('Function: parseAuthority', () => {
  it('reads host:port and [v6]:port, and refuses anything else', () => {
    expect(parseAuthority('203.0.113.5:443')).toEqual({ address: '203.0.113.5', port: 443 });
    expect(parseAuthority('[2001:db8::5]:80')).toEqual({ address: '2001:db8::5', port: 80 });
    expect(parseAuthority('203.0.113.5')).toBeUndefined();
    expect(parseAuthority('203.0.113.5:70000')).toBeUndefined();
    expect(parseAuthority('/path')).toBeUndefined();
  });
});
