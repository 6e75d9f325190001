import type { Clock, Timer } from '../../sim/index.js';
import { AwsApiError } from '../errors.js';
import type { IdSource } from '../ids.js';
import type { EventBridgeEvent, EventBusSpec, RuleSpec, RuleTargetSpec } from '../types.js';
import { deliveryDelays, type EventDeliveryMode } from './delivery.js';
import { matchesPattern } from './event-pattern.js';
import { targetInput } from './input-transformer.js';
import { parseSchedule } from './schedule.js';

/** Where rule targets lead. */
export interface EventTargets {
  /** StartExecution with the target's input; throws the StartExecution error. */
  startExecution(stateMachineArn: string, input: string, name: string): void;
  /** An asynchronous (Event) invocation: EventBridge does not wait for the result. */
  invokeLambda(functionArn: string, payload: unknown): Promise<unknown>;
}

/** One attempt to hand an event to a target (for inspection: AWS shows these as metrics). */
export interface Delivery {
  rule: string;
  targetId: string;
  eventId: string;
  /** When the event was matched (put on the bus, or its schedule came due). */
  matchedAt: number;
  /** When the target got it. */
  at: number;
  ok: boolean;
  error?: string;
}

/** A PutEvents entry as the API receives it. */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: number;
  EventBusName?: string;
}

export type PutEventsResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface EventBridgeOptions {
  clock: Clock;
  region: string;
  accountId: string;
  buses: EventBusSpec[];
  rules: RuleSpec[];
  targets: EventTargets;
  /** Event ids. */
  ids: IdSource;
  /** Names of the executions that targets start; default `ids` (see executionNames in ids.ts). */
  executionNames?: IdSource;
  /** How matched events reach targets; default at-least-once (duplicated, reordered, delayed: see delivery.ts). */
  delivery?: EventDeliveryMode;
  /** Seeded floats in [0, 1) for at-least-once delivery. */
  random: () => number;
}

const MAX_PUT_ENTRIES = 10;

/** EventBridge: the default and custom buses, pattern rules, schedule rules on the simulated clock. */
export class EventBridgeService {
  readonly deliveries: Delivery[] = [];
  private readonly buses = new Map<string, EventBusSpec>();
  private readonly timers: Timer[] = [];
  /** Deliveries on their way (at-least-once); cancelled by stop(). */
  private readonly inFlight = new Set<Timer>();
  private readonly listeners = new Set<(busName: string, event: EventBridgeEvent) => void>();

  constructor(private readonly options: EventBridgeOptions) {
    const defaultBus = { name: 'default', arn: `arn:aws:events:${options.region}:${options.accountId}:event-bus/default` };
    for (const bus of [defaultBus, ...options.buses]) this.buses.set(bus.name, bus);
  }

  /** How matched events reach targets (see delivery.ts). */
  get deliveryMode(): EventDeliveryMode {
    return this.options.delivery ?? 'at-least-once';
  }

  /** Arms the schedule rules; a rate rule first fires one period after this. */
  start(): void {
    const now = this.options.clock.now();
    for (const rule of this.options.rules) {
      if (rule.scheduleExpression && rule.state === 'ENABLED') this.arm(rule, parseSchedule(rule.scheduleExpression, now), now);
    }
  }

  stop(): void {
    for (const t of [...this.timers, ...this.inFlight]) this.options.clock.cancel(t);
    this.inFlight.clear();
  }

  /**
   * Calls `listener` with every event put on any bus, once, whether a rule matches it or not (for inspection, as an
   * archive or a catch-all rule to a log group shows them on AWS). Returns the unsubscribe function.
   */
  onPublish(listener: (busName: string, event: EventBridgeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Puts an event on a bus (by name or ARN), as an AWS service or an in-process producer would. */
  publish(busNameOrArn: string, event: EventBridgeEvent): void {
    const bus = this.bus(busNameOrArn);
    if (!bus) throw new AwsApiError('ResourceNotFoundException', `Event bus ${busNameOrArn} does not exist.`);
    for (const listener of this.listeners) listener(bus.name, event);
    for (const rule of this.options.rules) {
      if (rule.busName === bus.name && rule.state === 'ENABLED' && rule.eventPattern && matchesPattern(rule.eventPattern, event)) this.deliver(rule, event);
    }
  }

  /** PutEvents: each entry succeeds or fails on its own, as in the API. */
  putEvents(entries: PutEventsEntry[]): PutEventsResult[] {
    if (entries.length < 1 || entries.length > MAX_PUT_ENTRIES) {
      throw new AwsApiError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_PUT_ENTRIES}`,
      );
    }
    return entries.map((entry) => {
      const problem = entryProblem(entry);
      if (problem) return problem;
      const busName = entry.EventBusName ?? 'default';
      if (!this.bus(busName)) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
      const event: EventBridgeEvent = {
        version: '0',
        id: this.options.ids.uuid(),
        'detail-type': entry.DetailType as string,
        source: entry.Source as string,
        account: this.options.accountId,
        time: eventTime(entry.Time !== undefined ? entry.Time * 1000 : this.options.clock.now()),
        region: this.options.region,
        resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail as string),
      };
      this.publish(busName, event);
      return { EventId: event.id };
    });
  }

  /** ListRules of one bus, optionally by name prefix. */
  listRules(busNameOrArn = 'default', namePrefix = ''): RuleSpec[] {
    const bus = this.bus(busNameOrArn);
    if (!bus) throw new AwsApiError('ResourceNotFoundException', `Event bus ${busNameOrArn} does not exist.`);
    return this.options.rules.filter((r) => r.busName === bus.name && r.name.startsWith(namePrefix));
  }

  private bus(nameOrArn: string): EventBusSpec | undefined {
    const i = nameOrArn.indexOf(':event-bus/');
    return this.buses.get(i >= 0 ? nameOrArn.slice(i + ':event-bus/'.length) : nameOrArn);
  }

  private arm(rule: RuleSpec, schedule: ReturnType<typeof parseSchedule>, after: number): void {
    const at = schedule.next(after);
    if (at === undefined) return;
    const { clock } = this.options;
    this.timers.push(
      clock.setTimer(
        at - clock.now(),
        () => {
          this.deliver(rule, {
            version: '0',
            id: this.options.ids.uuid(),
            'detail-type': 'Scheduled Event',
            source: 'aws.events',
            account: this.options.accountId,
            time: eventTime(at),
            region: this.options.region,
            resources: [rule.arn],
            detail: {},
          });
          this.arm(rule, schedule, at);
        },
        `schedule ${rule.name}`,
      ),
    );
  }

  /** Sends a matched event to each of the rule's targets: at once, or as copies on their own timers. */
  private deliver(rule: RuleSpec, event: EventBridgeEvent): void {
    const { clock, random } = this.options;
    const matchedAt = clock.now();
    for (const target of rule.targets) {
      const delays = deliveryDelays(this.deliveryMode, random);
      if (!delays) {
        this.deliverTo(rule, target, event, matchedAt);
        continue;
      }
      for (const delay of delays) {
        const timer = clock.setTimer(
          delay,
          () => {
            this.inFlight.delete(timer);
            this.deliverTo(rule, target, event, matchedAt);
          },
          `deliver ${event.id} to ${rule.name}/${target.id}`,
        );
        this.inFlight.add(timer);
      }
    }
  }

  /** Hands the event to one target; a failure is recorded, never thrown back at the producer. */
  private deliverTo(rule: RuleSpec, target: RuleTargetSpec, event: EventBridgeEvent, matchedAt: number): void {
    const { clock, targets, ids, executionNames = ids } = this.options;
    const record = (ok: boolean, error?: string) =>
      this.deliveries.push({ rule: rule.name, targetId: target.id, eventId: event.id, matchedAt, at: clock.now(), ok, error });
    try {
      if (/:event-bus\//.test(target.arn)) {
        this.publish(target.arn, event);
        record(true);
        return;
      }
      const input = targetInput(target, event, rule, eventTime(clock.now()));
      if (/:states:[^:]*:\d+:stateMachine:/.test(target.arn)) {
        targets.startExecution(target.arn, input, executionNames.uuid());
        record(true);
      } else if (/:lambda:[^:]*:\d+:function:/.test(target.arn)) {
        targets.invokeLambda(target.arn, JSON.parse(input)).then(
          () => record(true),
          (err: Error) => record(false, `${err.name}: ${err.message}`),
        );
      } else record(false, `target ${target.arn} is not supported by the local control plane`);
    } catch (err) {
      record(false, `${(err as Error).name}: ${(err as Error).message}`);
    }
  }
}

function entryProblem(entry: PutEventsEntry): PutEventsResult | undefined {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (!entry[field]) return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` };
  }
  // Events from aws.* sources come only from AWS services.
  if ((entry.Source as string).startsWith('aws.')) return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  try {
    const detail = JSON.parse(entry.Detail as string) as unknown;
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) throw new SyntaxError('not an object');
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  return undefined;
}

/** EventBridge event times have whole seconds: 2026-01-01T00:00:00Z. */
function eventTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
