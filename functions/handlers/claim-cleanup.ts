import { DynamoClaimStore } from '../adapters/store/claims.js';
import {
  type CleanupItem,
  type CleanupReason,
  type CleanupTrigger,
  cleanupReason,
  endedExecution,
  isLeftBehind,
  slotsOfExecution,
} from '../decisions/claim-cleanup.js';
import type { ProvisionSlot } from '../decisions/provision.js';
import { providerFunctionsFromEnv } from '../providers/function-env.js';
import { PROVIDER_NAMES, providerNamed } from '../providers/registry.js';
import { config } from '../runtime/config.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';

export type ClaimCleanupEvent =
  | { action: 'find'; trigger: CleanupTrigger }
  | { action: 'recordFailure'; slot: ProvisionSlot; error?: { Error?: string; Cause?: string } };

let store: DynamoClaimStore | undefined;

function claims(): DynamoClaimStore {
  const table = process.env.TABLE_NAME;
  if (!table) throw new Error('TABLE_NAME is not set: the stack gives it to this function');
  store ??= new DynamoClaimStore(table);
  return store;
}

/**
 * ClaimCleanup's own steps: which claims to clean up (those an ended ProvisionNode execution left behind, or the
 * expired ones), and the record of a cleanup that failed. The cleanup itself reuses the claims, cluster-nodes and
 * provider functions, as ProvisionNode's own cleanup does.
 */
export const handler = withExecutionContext(async (event: ClaimCleanupEvent) => {
  switch (event.action) {
    case 'find':
      return find(event.trigger);
    case 'recordFailure': {
      const detail = { pool: event.slot.pool, claimId: event.slot.claimId, owner: event.slot.owner, error: event.error?.Error ?? 'Error' };
      await claims().audit('cleanup.failed', detail);
      log('error', 'cleanup failed; the claim is kept and swept again once it expires', detail);
      return { recorded: true };
    }
    default:
      throw new Error(`unknown action ${(event as { action: string }).action}`);
  }
});

async function find(trigger: CleanupTrigger): Promise<{ claims: CleanupItem[]; reason: CleanupReason }> {
  const cfg = config();
  const functions = providerFunctionsFromEnv(PROVIDER_NAMES);
  const ended = endedExecution(trigger);
  const found: CleanupItem[] = [];
  if (ended) {
    for (const slot of slotsOfExecution(ended, cfg, functions)) {
      const claim = await claims().get(slot.claimId);
      if (claim && isLeftBehind(claim, ended.executionArn)) found.push({ slot, vm: claim.vm ?? null });
    }
  } else {
    for (const pool of cfg.pools.filter((p) => providerNamed(p.provider).launchable && functions[p.provider])) {
      for (const claimId of await claims().expiredClaims(pool.name)) {
        const claim = await claims().get(claimId);
        if (!claim || !isLeftBehind(claim, claim.owner)) continue;
        const slot: ProvisionSlot = {
          pool: pool.name,
          provider: pool.provider,
          claimId,
          // The slot's index only names a VM at launch; cleanup finds VMs by claim.
          slot: 0,
          reason: claim.reason,
          owner: claim.owner,
          providerFunction: functions[pool.provider] as string,
        };
        found.push({ slot, vm: claim.vm ?? null });
      }
    }
  }
  log('info', 'claims to clean up', { execution: ended?.executionArn ?? null, claims: found.map((c) => c.slot.claimId) });
  return { claims: found, reason: cleanupReason(ended) };
}
