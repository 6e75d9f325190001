import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { type DnsNodeCalls, KubeDnsNodeReader } from '../../../functions/adapters/kube/dns-nodes.js';
import { poolOfNode } from '../../../functions/decisions/healing/node-pool.js';

const config = loadConfigFile('shepherd.config.json');

/** A Node as the API server lists it. */
const node = (name: string, labels: Record<string, string>) => ({
  metadata: { name, labels },
  spec: { providerID: name.startsWith('aws') ? 'aws:///eu-west-3a/i-0abc' : undefined },
  status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'ExternalIP', address: '198.18.0.9' }] },
});

describe('Class: KubeDnsNodeReader', () => {
  it("names each Node's pool as healing does: the shepherd.io/pool label, else the home pool whose labels it carries", async () => {
    const kube = { list: async () => [node('aws-1', { 'shepherd.io/pool': 'aws-amd64' }), node('home-1', { 'shepherd.io/site': 'home' }), node('x', {})] };
    const reader = new KubeDnsNodeReader(kube as unknown as DnsNodeCalls, (labels) => poolOfNode(labels, config)?.name);
    const nodes = await reader.nodes();
    expect(nodes.map((n) => [n.view.name, n.view.pool])).toEqual([
      ['aws-1', 'aws-amd64'],
      ['home-1', 'home'],
      ['x', undefined],
    ]);
    expect(nodes[0].providerID).toBe('aws:///eu-west-3a/i-0abc');
  });

  it("says since when a Node is Ready (its condition's lastTransitionTime), and nothing when the Node does not say", async () => {
    const back = node('home-1', { 'shepherd.io/site': 'home' });
    back.status.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:06:34Z' } as (typeof back.status.conditions)[0]];
    const kube = { list: async () => [back, node('aws-1', {})] };
    const nodes = await new KubeDnsNodeReader(kube as unknown as DnsNodeCalls).nodes();
    expect(nodes.map((n) => n.view.readySince)).toEqual(['2026-01-01T00:06:34Z', undefined]);
  });
});
