import type { ChaosFault } from '../fault.js';
import { apiDown } from './api-down.js';
import { deleteVm } from './delete-vm.js';
import { flapping } from './flapping.js';
import { partition } from './partition.js';
import { providerDark } from './provider-dark.js';
import { spotReclaim } from './spot-reclaim.js';

/** Every fault the chaos endpoint injects, by name. */
export const CHAOS_FAULTS: Record<string, ChaosFault> = Object.fromEntries(
  [providerDark, spotReclaim, deleteVm, apiDown, partition, flapping].map((f) => [f.name, f]),
);
