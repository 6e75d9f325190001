import type { Timer } from '../../sim/index.js';
import { ChaosRequestError } from './errors.js';
import type { ChaosWorld, Injection } from './fault.js';
import { CHAOS_FAULTS } from './faults/index.js';
import type { ChaosClock, FaultRequest, InjectedFault } from './types.js';

interface Active {
  fault: InjectedFault;
  undo: () => void | Promise<void>;
  timer?: Timer;
}

/**
 * Injects faults into the simulated world and keeps the lasting ones until they end (on the simulated clock) or are
 * cleared. The same fault on the same subject again replaces the first: its end is the new one's.
 */
export class ChaosService {
  private readonly active = new Map<string, Active>();

  constructor(private readonly world: ChaosWorld) {}

  async inject(request: FaultRequest): Promise<InjectedFault> {
    const fault = Object.hasOwn(CHAOS_FAULTS, request.fault) ? CHAOS_FAULTS[request.fault] : undefined;
    if (!fault) throw new ChaosRequestError('UnknownFault', `unknown fault "${request.fault}"; the faults are ${Object.keys(CHAOS_FAULTS).join(', ')}`);
    if (request.forMs !== undefined && !fault.lasting) throw new ChaosRequestError('InstantFault', `${fault.name} happens at once: it takes no duration`);
    if (request.forMs !== undefined && !(Number.isFinite(request.forMs) && request.forMs > 0))
      throw new ChaosRequestError('BadDuration', 'the duration must be a positive number of milliseconds');
    const { clock } = this.world.sim;
    const injection: Injection = await fault.inject(this.world, request);
    const injected: InjectedFault = {
      fault: fault.name,
      subject: injection.subject,
      description: injection.description,
      lasting: fault.lasting,
      startedAt: clock.iso(),
      ...(request.forMs !== undefined ? { endsAt: clock.iso(clock.now() + request.forMs) } : {}),
    };
    const { undo } = injection;
    if (!undo) return injected;
    const key = `${fault.name}\u0000${injection.subject}`;
    const replaced = this.active.get(key);
    if (replaced) clock.cancel(replaced.timer);
    const entry: Active = { fault: injected, undo };
    if (request.forMs !== undefined) entry.timer = clock.setTimer(request.forMs, () => void this.end(key, entry), `chaos ${key} ends`);
    this.active.set(key, entry);
    return injected;
  }

  /** The lasting faults in force, oldest first. */
  list(): InjectedFault[] {
    return [...this.active.values()].map((a) => a.fault);
  }

  /** Ends every lasting fault now; returns the ones it ended. */
  async clear(): Promise<InjectedFault[]> {
    const ended = [...this.active.entries()];
    for (const [key, entry] of ended) {
      this.world.sim.clock.cancel(entry.timer);
      await this.end(key, entry);
    }
    return ended.map(([, e]) => e.fault);
  }

  clock(): ChaosClock {
    const { clock } = this.world.sim;
    return { now: clock.iso(), mode: clock.mode, factor: clock.factor };
  }

  private async end(key: string, entry: Active): Promise<void> {
    if (this.active.get(key) !== entry) return;
    this.active.delete(key);
    await entry.undo();
  }
}
