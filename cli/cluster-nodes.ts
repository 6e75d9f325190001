import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeNodeApi } from '../functions/adapters/kube/nodes.js';
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

/** Every Node with the labels shepherd sets (functions/decisions/provision.ts) and the well-known topology ones. */
export async function listClusterNodes(path: string): Promise<NodeRow[]> {
  let kubeconfig: string;
  try {
    kubeconfig = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new CommandError(`cannot read kubeconfig ${path} (${code}); pass --kubeconfig PATH or set KUBECONFIG`);
  }
  const nodes = await KubeNodeApi.fromKubeconfig(kubeconfig, path).list();
  return nodes
    .map((n) => ({
      name: n.name,
      ready: n.ready,
      pool: n.labels['shepherd.io/pool'],
      provider: n.labels['shepherd.io/provider'],
      zone: n.labels['topology.kubernetes.io/zone'],
      instanceType: n.labels['node.kubernetes.io/instance-type'],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
