import type { PoolConfig, ShepherdConfig } from '../../../config/types.js';
import { providerNamed } from '../../providers/registry.js';

/**
 * The pool a Node belongs to: its shepherd.io/pool label (shepherd labels every node it provisions), else a pool
 * shepherd cannot launch machines for (a home lab) whose labels the Node carries, all of them and at least one: its
 * machines register with them (kubelet --node-labels), since no API of theirs says which pool they are.
 */
export function poolOfNode(labels: Readonly<Record<string, string>>, config: Pick<ShepherdConfig, 'pools'>): PoolConfig | undefined {
  const named = labels['shepherd.io/pool'];
  if (named) return config.pools.find((p) => p.name === named);
  return config.pools.find((p) => {
    const own = Object.entries(p.labels);
    return !providerNamed(p.provider).launchable && own.length > 0 && own.every(([k, v]) => labels[k] === v);
  });
}

/** The provider a Node runs on, as the short-circuits count it: its pool's, else its shepherd.io/provider label, else `unknown`. */
export function providerOfNode(labels: Readonly<Record<string, string>>, config: Pick<ShepherdConfig, 'pools'>): string {
  return poolOfNode(labels, config)?.provider ?? labels['shepherd.io/provider'] ?? 'unknown';
}
