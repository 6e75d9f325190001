import type { ProviderName, Vm } from '../../sim/index.js';
import { ChaosRequestError } from './errors.js';
import type { ChaosWorld } from './fault.js';

const SIM_PROVIDERS: readonly ProviderName[] = ['aws', 'gcp', 'scaleway', 'home'];

/** The providers the config's pools use, which the simulated world runs. */
export function configuredProviders({ config }: ChaosWorld): ProviderName[] {
  const used = new Set(config.pools.map((p) => p.provider));
  return SIM_PROVIDERS.filter((p) => used.has(p));
}

/** A provider the cluster uses, or ChaosRequestError listing the ones it does. */
export function configuredProvider(world: ChaosWorld, name: string | undefined): ProviderName {
  const known = configuredProviders(world);
  if (!name) throw new ChaosRequestError('MissingProvider', `name a provider: one of ${known.join(', ')}`);
  const match = known.find((p) => p === name);
  if (!match) throw new ChaosRequestError('UnknownProvider', `unknown provider "${name}"; the configured ones are ${known.join(', ')}`);
  return match;
}

/** A region of the provider in the simulated world, or ChaosRequestError listing them. */
export function providerRegion({ sim }: ChaosWorld, provider: ProviderName, region: string): string {
  const regions = sim.world.catalog.regions[provider].map((r) => r.name);
  if (!regions.includes(region)) throw new ChaosRequestError('UnknownRegion', `${provider} has no region "${region}"; its regions are ${regions.join(', ')}`);
  return region;
}

/** The VM a Node runs on, or the VM with this id, if it has not gone; else ChaosRequestError listing the nodes. */
export function liveVm({ sim }: ChaosWorld, target: string | undefined): Vm {
  const { world } = sim;
  const vm = target ? (world.vmOfNode(target) ?? world.getVm(target)) : undefined;
  if (vm && vm.state !== 'terminated' && vm.state !== 'shutting-down') return vm;
  const nodes = world
    .listVms()
    .filter((v) => v.nodeName && v.state !== 'terminated' && v.state !== 'shutting-down')
    .map((v) => `${v.nodeName} (${v.id}, ${v.provider}${v.spot ? ', spot' : ''})`);
  const which = nodes.length ? `the nodes are: ${nodes.join('; ')}` : 'the cluster has no nodes with a VM';
  if (!target) throw new ChaosRequestError('MissingTarget', `name a node or a VM id; ${which}`);
  if (vm) throw new ChaosRequestError('VmGone', `VM ${vm.id} is already ${vm.state}; ${which}`);
  throw new ChaosRequestError('UnknownTarget', `no node or VM "${target}"; ${which}`);
}

/** How the VM is named in answers: its id, and its Node when it has one. */
export function vmSubject(vm: Vm): string {
  return vm.nodeName ? `${vm.id} (node ${vm.nodeName})` : vm.id;
}
