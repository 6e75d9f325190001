import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** What a state saw or produced inside one slot of a workflow's Map: the fields the phase lines read. */
export interface SlotData {
  slot?: { slot?: number; claimId?: string; pool?: string };
  claimId?: string;
  claim?: { activeClaims?: number; status?: string };
  vm?: { id?: string; type?: string; zone?: string } | null;
  node?: { registered?: boolean; ready?: boolean; nodeName?: string | null };
  nodeName?: string;
  status?: string;
  error?: string | { Error?: string; Cause?: string };
  /** A failed slot's message (its result, fail-cause convention). */
  message?: string;
  cause?: string;
  cleanup?: unknown;
  pollState?: { attempt?: number };
  poll?: { maxPolls?: number };
  [field: string]: unknown;
}

/** A state entered or exited, with its JSON data when the history carries it (includeExecutionData). */
export interface StateStep {
  kind: 'entered' | 'exited';
  state: string;
  data?: SlotData;
}

/** The state step a history event records, or undefined for other events. */
export function stateStep(event: HistoryEvent): StateStep | undefined {
  const type = event.type ?? '';
  if (type.endsWith('StateEntered') && event.stateEnteredEventDetails?.name)
    return { kind: 'entered', state: event.stateEnteredEventDetails.name, data: parse(event.stateEnteredEventDetails.input) };
  if (type.endsWith('StateExited') && event.stateExitedEventDetails?.name)
    return { kind: 'exited', state: event.stateExitedEventDetails.name, data: parse(event.stateExitedEventDetails.output) };
  return undefined;
}

function parse(text: string | undefined): SlotData | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as SlotData) : undefined;
  } catch {
    // Truncated data (over 256 KB): no phase details from it.
    return undefined;
  }
}
