import type { JsonService } from '../aws-api/api-server.js';
import { page } from '../aws-api/pagination.js';
import type { EventBridgeService, PutEventsEntry } from './events.js';

/** The EventBridge operations of the local API (AWS JSON 1.1, target prefix AWSEvents). */
export function eventBridgeApi(events: EventBridgeService): JsonService {
  return {
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    operations: {
      PutEvents: (r) => {
        const results = events.putEvents((r.Entries ?? []) as PutEventsEntry[]);
        return { FailedEntryCount: results.filter((e) => 'ErrorCode' in e).length, Entries: results };
      },
      ListRules: (r) => {
        const rules = events.listRules(
          typeof r.EventBusName === 'string' ? r.EventBusName : undefined,
          typeof r.NamePrefix === 'string' ? r.NamePrefix : undefined,
        );
        const p = page(rules, r.Limit, r.NextToken, { default: 100, max: 100 });
        return {
          Rules: p.items.map((rule) => ({
            Name: rule.name,
            Arn: rule.arn,
            EventPattern: rule.eventPattern ? JSON.stringify(rule.eventPattern) : undefined,
            ScheduleExpression: rule.scheduleExpression,
            State: rule.state,
            Description: rule.description,
            EventBusName: rule.busName,
          })),
          NextToken: p.nextToken,
        };
      },
    },
  };
}
