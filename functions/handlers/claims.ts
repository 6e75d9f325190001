import { DynamoClaimStore } from '../adapters/store/claims.js';
import type { ProvisionSlot, VmRef } from '../decisions/provision.js';
import { config, poolNamed } from '../runtime/config.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';

export type ClaimsEvent =
  | { action: 'claim'; slot: ProvisionSlot }
  | { action: 'attachVm'; slot: ProvisionSlot; vm: VmRef }
  | { action: 'complete'; slot: ProvisionSlot; vm: VmRef; nodeName: string }
  | { action: 'release'; slot: ProvisionSlot; error?: { Error?: string; Cause?: string } };

let store: DynamoClaimStore | undefined;

function claims(): DynamoClaimStore {
  const table = process.env.TABLE_NAME;
  if (!table) throw new Error('TABLE_NAME is not set: the stack gives it to this function');
  store ??= new DynamoClaimStore(table);
  return store;
}

export const handler = withExecutionContext(async (event: ClaimsEvent) => {
  const slot = event.slot;
  switch (event.action) {
    case 'claim': {
      const pool = poolNamed(slot.pool, config());
      const out = await claims().claim({
        pool: slot.pool,
        claimId: slot.claimId,
        owner: slot.owner,
        max: pool.max,
        reason: slot.reason,
        expiresAt: slot.expiresAt,
      });
      log('info', 'claim', { pool: slot.pool, claimId: slot.claimId, created: out.created, activeClaims: out.activeClaims });
      return { status: out.claim.status, created: out.created, activeClaims: out.activeClaims, vm: out.claim.vm ?? null, nodeName: out.claim.nodeName ?? null };
    }
    case 'attachVm':
      await claims().attachVm(slot.claimId, event.vm);
      return { attached: true };
    case 'complete': {
      const claim = await claims().complete(slot.claimId, event.vm, event.nodeName);
      return { status: claim.status, nodeName: claim.nodeName };
    }
    case 'release': {
      const reason = describeFailure(event.error);
      const out = await claims().release(slot.claimId, slot.pool, reason);
      log('warn', 'claim released', { pool: slot.pool, claimId: slot.claimId, reason });
      return { ...out, reason };
    }
    default:
      throw new Error(`unknown action ${(event as { action: string }).action}`);
  }
});

/** A failure caught by Step Functions as a one-line reason: "<ErrorName>: <message>". */
export function describeFailure(error: { Error?: string; Cause?: string } | undefined): string {
  if (!error) return 'released';
  let message = error.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: string };
    if (parsed.errorMessage) message = parsed.errorMessage;
  } catch {
    // Cause is plain text (e.g. States.Timeout).
  }
  return `${error.Error ?? 'Error'}: ${message}`.slice(0, 1000);
}
