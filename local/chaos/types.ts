/**
 * The wire format of the chaos endpoint `shepherd local` serves on loopback, which `shepherd chaos` calls:
 * POST /faults with a FaultRequest, GET /faults, DELETE /faults; errors as `{ error: { code, message } }`.
 */

/** One fault to inject; which fields it needs depends on the fault. */
export interface FaultRequest {
  fault: string;
  /** provider-dark, partition: aws, gcp, scaleway or home. */
  provider?: string;
  /** provider-dark: one region of the provider instead of all of it. */
  region?: string;
  /** spot-reclaim, delete-vm, flapping: a Node name or a VM id. */
  target?: string;
  /** Lasting faults: ends by itself after this many simulated ms (absent: until cleared). */
  forMs?: number;
  /** flapping: simulated ms between the health endpoint's changes (default 20 s). */
  periodMs?: number;
}

/** A fault as injected: lasting ones stay until they end or are cleared; instant ones are done when answered. */
export interface InjectedFault {
  fault: string;
  /** What it hit: `aws`, `aws/eu-west-3`, `cluster API`, `i-0abc (node ip-10-0-1-5)`. */
  subject: string;
  /** One sentence: what happened. */
  description: string;
  lasting: boolean;
  /** Simulated times, ISO 8601. */
  startedAt: string;
  endsAt?: string;
}

export interface ChaosClock {
  /** Simulated now, ISO 8601. */
  now: string;
  mode: 'virtual' | 'scaled';
  /** Simulated ms per real ms, in scaled mode. */
  factor: number;
}

export interface InjectAnswer {
  injected: InjectedFault;
  clock: ChaosClock;
}

export interface ListAnswer {
  faults: InjectedFault[];
  clock: ChaosClock;
}

export interface ClearAnswer {
  cleared: InjectedFault[];
  clock: ChaosClock;
}

export interface ErrorAnswer {
  error: { code: string; message: string };
}
