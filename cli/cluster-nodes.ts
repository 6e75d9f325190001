import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { ShepherdConfig } from '../config/types.js';
import { poolOfNode } from '../functions/decisions/healing/node-pool.js';
import { CommandError } from './errors.js';

export interface NodeRow {
  name: string;
  ready: 'True' | 'False' | 'Unknown';
  pool?: string;
  provider?: string;
  zone?: string;
  instanceType?: string;
}

/** The kubeconfig file to use: the first of the candidates given, else the first file in KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(candidates: (string | undefined)[], env: NodeJS.ProcessEnv): string {
  const explicit = candidates.find((c) => c);
  if (explicit) return explicit;
  const fromEnv = env.KUBECONFIG?.split(delimiter).find((p) => p);
  return fromEnv ?? join(homedir(), '.kube', 'config');
}

/**
 * Every Node with the labels shepherd sets (functions/decisions/provision.ts) and the well-known topology ones; its
 * pool by the rule healing and DNS use (poolOfNode: a home node is in its pool by the pool's labels, not a label of ours).
 */
export async function listClusterNodes(path: string, config: Pick<ShepherdConfig, 'pools'>): Promise<NodeRow[]> {
  try {
    readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new CommandError(`cannot read kubeconfig ${path} (${code}); pass --kubeconfig PATH or set KUBECONFIG`);
  }
  const nodes = await listNodeObjects(path);
  return nodes
    .map((n): NodeRow => {
      const labels = n.metadata?.labels ?? {};
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      const pool = poolOfNode(labels, config);
      return {
        name: n.metadata?.name ?? '',
        ready: ready === 'True' || ready === 'False' ? ready : 'Unknown',
        pool: pool?.name ?? labels['shepherd.io/pool'],
        provider: pool?.provider ?? labels['shepherd.io/provider'],
        zone: labels['topology.kubernetes.io/zone'],
        instanceType: labels['node.kubernetes.io/instance-type'],
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Every Node, page by page, through the operator's own kubeconfig: the official client, which runs exec plugins (EKS,
 * GKE) and reads file paths. The deployed functions use their small client, which accepts only what a secret can hold.
 */
export async function listNodeObjects(path: string): Promise<V1Node[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const api = kc.makeApiClient(CoreV1Api);
  const nodes: V1Node[] = [];
  let _continue: string | undefined;
  do {
    const page = await api.listNode({ limit: 500, _continue });
    nodes.push(...page.items);
    _continue = page.metadata?._continue || undefined;
  } while (_continue);
  return nodes;
}
