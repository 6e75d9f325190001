import type { Clock } from '../../sim/index.js';
import type { PreparedDefinition } from './asl-prepare.js';

/** One event as GetExecutionHistory returns it (timestamp in simulated epoch ms here). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** The subset of aws-local-stepfunctions' event log that the history is built from. */
export interface LibraryEvent {
  type: string;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string };
  index?: number;
  Error?: string;
  Cause?: unknown;
}

/** An execution's history, stamped with simulated time. */
export class ExecutionHistory {
  readonly events: HistoryEvent[] = [];
  private closed = false;

  constructor(private readonly clock: Clock) {}

  add(type: string, details?: Record<string, unknown>): void {
    // A task still running when its execution was stopped must not write after the end.
    if (this.closed) return;
    const id = this.events.length + 1;
    const event: HistoryEvent = { id, previousEventId: id - 1, timestamp: this.clock.now(), type };
    if (details) event[detailsKey(type)] = details;
    this.events.push(event);
  }

  /** Adds the execution's final event; nothing is recorded after it. */
  close(type: string, details: Record<string, unknown>): void {
    this.add(type, details);
    this.closed = true;
  }

  /**
   * Records what a library event means in AWS terms. Execution start/end and Task activity are
   * recorded by the control plane itself; here come state entries and exits, with each state's
   * deployed type (a Wait that runs as a local Task is still a Wait).
   */
  addLibraryEvent(e: LibraryEvent, prepared: PreparedDefinition): void {
    if (e.type.startsWith('MapIteration') && e.parentState) {
      this.add(e.type, { name: e.parentState.name, index: e.index });
      return;
    }
    const state = e.state;
    if (!state || prepared.internalStates.has(state.name)) return;
    const type = prepared.stateTypes.get(state.name) ?? state.type;
    if (e.type === 'StateEntered') {
      this.add(`${type}StateEntered`, { name: state.name, input: json(state.input), inputDetails: { truncated: false } });
      if (type === 'Parallel' || type === 'Map') this.add(`${type}StateStarted`);
    } else if (e.type === 'StateExited') {
      // A Fail state never exits; its locally added Pass does, silently.
      if (type === 'Fail') return;
      if (type === 'Parallel' || type === 'Map') this.add(`${type}StateSucceeded`);
      this.add(`${type}StateExited`, { name: state.name, output: json(state.output), outputDetails: { truncated: false } });
    } else if (e.type === 'StateFailed' && (type === 'Parallel' || type === 'Map')) {
      this.add(`${type}StateFailed`);
    }
  }
}

/** AWS names the details field after the event type, except for the shared state entered/exited details. */
function detailsKey(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type[0].toLowerCase()}${type.slice(1)}EventDetails`;
}

export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}
