import type { ProviderDescriptor } from '../../providers/types.js';
import type { HealAction } from './types.js';

/**
 * What healing does with an unhealthy node: remove it and provision a like one, or, where shepherd cannot create
 * machines (a home lab has no API: its descriptor says `launchable: false`), only delete the Node object so that its
 * pods are rescheduled; the machine joins again by itself once someone repairs it.
 */
export function healAction(node: { name: string; pool: string }, provider: Pick<ProviderDescriptor, 'name' | 'launchable'>): HealAction {
  if (provider.launchable) {
    return { action: 'replace', reason: `node ${node.name} is removed and pool ${node.pool} gets a new ${provider.name} machine` };
  }
  return {
    action: 'deleteOnly',
    reason: `node ${node.name} is a ${provider.name} machine, which shepherd cannot create: its Node is deleted, not replaced; repair the machine and it joins again`,
  };
}
