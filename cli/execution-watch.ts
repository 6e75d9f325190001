import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeExecutionCommand, type DescribeExecutionOutput, GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';

const PAGE_SIZE = 100;

/**
 * Polls an execution until it leaves RUNNING, handing each new history event to `onEvent` in order.
 * Describe comes before history in each round, so once the execution is seen finished, the history read after
 * it holds every event.
 */
export async function watchExecution(
  sfn: SFNClient,
  executionArn: string,
  options: { pollIntervalMs: number; onEvent: (event: HistoryEvent) => void; includeExecutionData?: boolean },
): Promise<DescribeExecutionOutput> {
  let lastEventId = 0;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const fresh = await eventsAfter(sfn, executionArn, lastEventId, options.includeExecutionData ?? false);
    for (const event of fresh) options.onEvent(event);
    if (fresh.length > 0) lastEventId = fresh[fresh.length - 1].id ?? lastEventId;
    if (execution.status !== 'RUNNING') return execution;
    await sleep(options.pollIntervalMs);
  }
}

/** Events with id > `after`, oldest first. Reads newest first and stops at the first one already seen. */
async function eventsAfter(sfn: SFNClient, executionArn: string, after: number, includeExecutionData: boolean): Promise<HistoryEvent[]> {
  const fresh: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: PAGE_SIZE, includeExecutionData, nextToken }));
    for (const event of page.events ?? []) {
      if ((event.id ?? 0) <= after) return fresh.reverse();
      fresh.push(event);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return fresh.reverse();
}
