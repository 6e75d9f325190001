import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** PutEvents takes at most 10 entries per call (EventBridge API reference, PutEvents). */
const BATCH = 10;
const ATTEMPTS = 4;

/** Some events could not be put on the bus after every retry. */
export class EventPublishError extends Error {
  override name = 'EventPublishError';
}

export interface BusEvent {
  detailType: string;
  detail: Record<string, unknown>;
  /** ARNs or names the event is about (the Node, the VM): shown in the console, matched by `resources` patterns. */
  resources?: string[];
}

/**
 * Puts events on one bus with PutEvents, ten at a time. PutEvents succeeds or fails per entry: the failed entries
 * (throttling, an internal error) are sent again, with a short backoff, up to four times in all. What still fails
 * throws EventPublishError, so the watcher does not save a snapshot that claims they went out.
 */
export class BusPublisher {
  constructor(
    private readonly busName: string,
    private readonly source: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async publish(events: readonly BusEvent[]): Promise<number> {
    const entries: PutEventsRequestEntry[] = events.map((e) => ({
      EventBusName: this.busName,
      Source: this.source,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
      ...(e.resources?.length ? { Resources: e.resources } : {}),
    }));
    for (let i = 0; i < entries.length; i += BATCH) await this.putBatch(entries.slice(i, i + BATCH));
    return entries.length;
  }

  private async putBatch(batch: PutEventsRequestEntry[]): Promise<void> {
    let pending = batch;
    let lastError = '';
    for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 1) await this.sleep(100 * 2 ** (attempt - 2));
      try {
        const out = await this.client.send(new PutEventsCommand({ Entries: pending }));
        const results = out.Entries ?? [];
        const failed = pending.filter((_, i) => !results[i]?.EventId);
        const firstError = results.find((r) => r.ErrorCode);
        if (firstError) lastError = `${firstError.ErrorCode}: ${firstError.ErrorMessage ?? ''}`;
        pending = failed;
      } catch (err) {
        lastError = `${(err as Error).name}: ${(err as Error).message}`;
      }
    }
    if (pending.length > 0)
      throw new EventPublishError(`${pending.length} of ${batch.length} events were not put on bus ${this.busName} after ${ATTEMPTS} attempts (${lastError})`);
  }
}
