import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import type { ShepherdConfig } from '../../../config/types.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import { findKubectl, runKubectl, tableRows } from '../../helpers/kubectl.js';

/**
 * Issue 8, "Kubernetes Events": after ProvisionNode, `kubectl get events` and `kubectl describe node` against the
 * local control plane's cluster show what shepherd did to the node and which execution did it. The real kubectl
 * reads the simulated API server; the stack's functions wrote the Events through their own Kubernetes client.
 */

const KUBECTL = findKubectl();
if (!KUBECTL) console.warn('node-events.test.ts skipped: no kubectl binary found (install Debian package kubernetes-client)');

/** The shipped config, with a taint on the GCE pool so that the Tainted Event shows too. */
function testConfig(): ShepherdConfig {
  const config = parseConfig(JSON.parse(readFileSync('shepherd.config.json', 'utf8')), 'test config');
  config.pools.find((p) => p.name === 'gcp-amd64')!.taints = [{ key: 'shepherd.io/dedicated', value: 'gcp', effect: 'NoSchedule' }];
  return config;
}

const config = testConfig();
let local: ShepherdLocal;
let workDir: string;

beforeAll(async () => {
  if (!KUBECTL) return;
  await synthesizeStack(config);
  workDir = await mkdtemp(join(tmpdir(), 'node-events-'));
}, 600_000);

afterAll(async () => {
  await local?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** kubectl is another process: the virtual clock is held still while it runs, so nothing ages or expires meanwhile. */
async function kubectl(...args: string[]): Promise<string> {
  const release = local.sim.clock.hold();
  try {
    return (await runKubectl(KUBECTL as string, join(workDir, 'kubeconfig'), join(workDir, 'cache'), args)).stdout;
  } finally {
    release();
  }
}

describe.skipIf(!KUBECTL)('Workflow: ProvisionNode records Kubernetes Events (kubectl against the local control plane)', () => {
  it('kubectl get events and describe node show Registered, Labelled and Tainted from multicloud-shepherd, naming the execution', async () => {
    local = await startShepherdLocal({ config, seed: 3, clock: { mode: 'virtual' } });
    const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool: 'gcp-amd64' }, 'events-test');
    const out = await local.controlPlane.waitForExecution(executionArn);
    expect(out.status).toBe('SUCCEEDED');
    const [node] = local.sim.world.kube.list('nodes', { labelSelector: 'shepherd.io/pool=gcp-amd64' });
    const nodeName = node.metadata.name;
    await local.sim.writeKubeconfig(join(workDir, 'kubeconfig'));

    const listed = await kubectl('get', 'events', '--field-selector', 'source=multicloud-shepherd', '-o', 'wide');
    const [header, ...unordered] = tableRows(listed);
    // The API server lists by name, and an Event's name ends in a hash: order them by what happened.
    const order = ['Registered', 'Labelled', 'Tainted'];
    const rows = unordered.sort((a, b) => order.indexOf(a[2]) - order.indexOf(b[2]));
    expect(header.slice(0, 4)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT']);
    // Wide rows without a SUBOBJECT: LAST SEEN, TYPE, REASON, OBJECT, SOURCE, MESSAGE, FIRST SEEN, COUNT, NAME.
    expect(rows.map((r) => [r[1], r[2], r[3], r[4], r[7]])).toEqual([
      ['Normal', 'Registered', `node/${nodeName}`, 'multicloud-shepherd', '1'],
      ['Normal', 'Labelled', `node/${nodeName}`, 'multicloud-shepherd', '1'],
      ['Normal', 'Tainted', `node/${nodeName}`, 'multicloud-shepherd', '1'],
    ]);
    for (const row of rows) expect(row[5]).toMatch(/ by execution events-test\.$/);
    expect(rows[2][5]).toBe('Tainted shepherd.io/dedicated=gcp:NoSchedule for pool gcp-amd64 by execution events-test.');

    // kubectl describe node finds them by the Node's uid, beside the kubelet's and the node controller's.
    const described = await kubectl('describe', 'node', nodeName);
    const events = described.slice(described.indexOf('\nEvents:'));
    for (const reason of ['Registered', 'Labelled', 'Tainted']) {
      expect(events).toMatch(new RegExp(`Normal\\s+${reason}\\s+\\S+\\s+multicloud-shepherd\\s+${reason} .* by execution events-test\\.`));
    }
    expect(events).toMatch(/Normal\s+NodeReady\s+\S+\s+kubelet\s+/);
  }, 240_000);
});
