import type { ShepherdConfig } from '../../config/types.js';
import type { Sim } from '../../sim/index.js';
import type { FaultRequest } from './types.js';

/** What a fault acts on: the simulated world, and the config that says which providers the cluster uses. */
export interface ChaosWorld {
  sim: Sim;
  config: ShepherdConfig;
}

/** What injecting a fault did. */
export interface Injection {
  subject: string;
  description: string;
  /** Lasting faults: puts the world back (clear, or the end of --for). Absent: an instant fault, done already. */
  undo?: () => void | Promise<void>;
}

/** One kind of fault `shepherd chaos` can inject: one module per kind, one line in faults/index.ts. */
export interface ChaosFault {
  name: string;
  /** Whether it lasts (and so takes forMs and can be cleared). */
  lasting: boolean;
  /** Throws ChaosRequestError when the request does not fit (unknown node, provider not configured...). */
  inject(world: ChaosWorld, request: FaultRequest): Injection | Promise<Injection>;
}
