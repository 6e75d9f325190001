import type { DnsCheckStateStore, StoredCheckState } from '../../functions/adapters/store/dns-check-states.js';

/** DnsCheckStateStore in memory, with the conditional write's rule (the stored checkedAt must match). */
export class MemoryCheckStates implements DnsCheckStateStore {
  readonly items = new Map<string, Map<string, StoredCheckState>>();
  puts = 0;
  refused = 0;

  async list(entrypoint: string) {
    return new Map(this.items.get(entrypoint) ?? []);
  }

  async put(entrypoint: string, address: string, state: StoredCheckState) {
    this.puts += 1;
    const m = this.items.get(entrypoint) ?? new Map();
    m.set(address, state);
    this.items.set(entrypoint, m);
  }

  async putIfUnchanged(entrypoint: string, address: string, state: StoredCheckState, checkedAt: string) {
    if (this.items.get(entrypoint)?.get(address)?.checkedAt !== checkedAt) {
      this.refused += 1;
      return false;
    }
    await this.put(entrypoint, address, state);
    return true;
  }
}
