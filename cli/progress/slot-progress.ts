import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { type SlotData, stateStep } from './slot-events.js';
import type { WorkflowPhases } from './workflow-phases.js';

/** What one history event changes on screen: lines to print, and the status line when it changed. */
export interface ProgressUpdate {
  lines: string[];
  status?: string;
}

/**
 * Turns an execution's history into one line per slot and phase ("slot 2: launched i-0abc (t3.medium in eu-west-3a)"),
 * each printed once, and its polls into a status line. Slots are told apart by the slot in each state's data, or by
 * the claim id for states whose output holds only that.
 */
export class SlotProgress {
  private readonly slotByClaim = new Map<string, number>();
  private readonly lastLine = new Map<number, string>();
  private readonly pollBySlot = new Map<number, string>();

  constructor(private readonly phases: WorkflowPhases) {}

  onEvent(event: HistoryEvent): ProgressUpdate {
    const step = stateStep(event);
    if (!step?.data) return { lines: [] };
    const slot = this.slotOf(step.data);
    if (slot === undefined) return { lines: [] };
    if (step.kind === 'entered') {
      const poll = this.phases.polls[step.state];
      if (!poll) return { lines: [] };
      this.pollBySlot.set(slot, poll(step.data));
      return { lines: [], status: this.status() };
    }
    const phase = this.phases.exits[step.state]?.(step.data);
    if (!phase || this.lastLine.get(slot) === phase) return { lines: [] };
    this.lastLine.set(slot, phase);
    // A slot that moved on is no longer polling.
    const wasPolling = this.pollBySlot.delete(slot);
    return { lines: [this.prefixed(slot, phase)], ...(wasPolling ? { status: this.status() } : {}) };
  }

  private prefixed(slot: number, text: string): string {
    return this.phases.singleNode ? text : `slot ${slot + 1}: ${text}`;
  }

  private slotOf(data: SlotData): number | undefined {
    if (this.phases.singleNode) return 0;
    const claimId = data.slot?.claimId ?? (typeof data.claimId === 'string' ? data.claimId : undefined);
    const slot = data.slot?.slot;
    if (typeof slot === 'number') {
      if (claimId) this.slotByClaim.set(claimId, slot);
      return slot;
    }
    return claimId ? this.slotByClaim.get(claimId) : undefined;
  }

  private status(): string {
    return [...this.pollBySlot.entries()]
      .sort(([a], [b]) => a - b)
      .map(([slot, text]) => this.prefixed(slot, text))
      .join('; ');
  }
}
