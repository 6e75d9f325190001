import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import { renderKosmosJoin } from '../../../sim/world/join-scripts.js';
import type { KubeObject } from '../../../sim/world/types.js';

/**
 * ProvisionNode against Kosmos node identity as Scaleway gives it (the simulator's 'kosmos-node-identity', on by
 * default): an external node registers as scw-<cluster>-<pool>-<hex>, not under its machine's name, and has no
 * providerID. So shepherd finds a new VM's Node by private IP among the Kosmos pool's Nodes, and sites reuse private
 * ranges (overlapping-private-ips).
 */

const config = loadConfigFile('shepherd.config.json');
const AWS_KOSMOS_POOL = '00000000-0000-4000-8000-000000000011';
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 300_000);

afterEach(async () => {
  await local?.stop();
});

const ready = (n: KubeObject | undefined) => n?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status;

/** The next address after `ip` in its /24 (the order EC2 hands out a subnet's addresses in the simulator). */
const nextIp = (ip: string) => ip.replace(/\d+$/, (d) => String(Number(d) + 1));

describe('Workflow: ProvisionNode with Kosmos external node identity', () => {
  it("a machine of another site in the same Kosmos pool, with the new VM's private IP, Ready before the VM launched, is neither labelled nor taken", async () => {
    local = await startShepherdLocal({ config, seed: 1, clock: { mode: 'virtual' }, onLambdaLog: () => undefined });
    const { world } = local.sim;
    // A GCE machine that someone joined to the aws-amd64 Kosmos pool by hand, on the address the next EC2 VM in
    // eu-west-3a gets (GCE's default network and the first EC2 subnet both use 10.0.0.0/x).
    const subnetA = [...world.awsSubnets.values()].find((s) => s.zone === 'eu-west-3a')!;
    const lastInA = world
      .listVms('aws')
      .filter((v) => v.zone === 'eu-west-3a')
      .at(-1);
    // EC2 keeps a subnet's first four addresses.
    const sharedIp = lastInA ? nextIp(lastInA.privateIp) : subnetA.cidr.split('/')[0].replace(/\d+$/, '4');
    const join = Buffer.from(renderKosmosJoin(AWS_KOSMOS_POOL, 'fr-par', world.scalewaySecretKey)).toString('base64');
    const gce = { provider: 'gcp' as const, project: local.sim.credentials.gcp.project, zone: 'europe-west1-b', type: 'e2-standard-2' };
    // GCE keeps .0 and .1 of a subnet.
    let lastGceIp = world.listVms('gcp').at(-1)?.privateIp ?? '10.0.0.1';
    for (let i = 0; nextIp(lastGceIp) !== sharedIp && i < 10; i++) lastGceIp = world.launchVm({ ...gce, name: `other-site-filler-${i}` }).privateIp;
    const foreign = world.launchVm({ ...gce, name: 'other-site', userData: join });
    expect(foreign.privateIp).toBe(sharedIp);
    await local.sim.clock.until(
      () => ready(world.kube.get('nodes', undefined, world.getVm(foreign.id)?.nodeName ?? '')) === 'True',
      15 * 60_000,
      'the other site’s node',
    );
    const foreignName = world.getVm(foreign.id)!.nodeName!;
    const before = world.kube.get('nodes', undefined, foreignName)!;
    expect(before.spec.providerID).toBeUndefined();
    expect(before.metadata.labels?.['k8s.scaleway.com/pool']).toBe(AWS_KOSMOS_POOL);

    const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool: 'aws-amd64', reason: 'test' });
    const out = await local.controlPlane.waitForExecution(executionArn);

    expect(out.status, out.cause).toBe('SUCCEEDED');
    const vm = world.listVms('aws').find((v) => v.tags['shepherd:pool'] === 'aws-amd64')!;
    expect(vm.privateIp).toBe(sharedIp);
    const after = world.kube.get('nodes', undefined, foreignName)!;
    expect(after.metadata.labels).toEqual(before.metadata.labels);
    expect(after.spec.taints).toEqual(before.spec.taints);
    const taken = world.kube.list('nodes', { labelSelector: 'shepherd.io/pool=aws-amd64' });
    expect(taken.map((n) => world.vmOfNode(n.metadata.name)?.id)).toEqual([vm.id]);
    expect(taken[0].metadata.name).toMatch(/^scw-kosmos-demo-.+-[0-9a-f]{8,}$/);
    expect(JSON.parse(out.output ?? '{}').nodes[0].nodeName).toBe(taken[0].metadata.name);
  });
});
