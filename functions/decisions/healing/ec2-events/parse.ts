import {
  EC2_INSTANCE_STATES,
  type Ec2EventCommon,
  type Ec2EventParse,
  type Ec2HealingEvent,
  HEALTH_EVENT,
  HEALTH_STATUS_CODES,
  REBALANCE_RECOMMENDATION,
  SPOT_INSTANCE_ACTIONS,
  SPOT_INTERRUPTION_WARNING,
  STATE_CHANGE_NOTIFICATION,
} from './types.js';

const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;
const INSTANCE_ID_ALLOWED = 'an EC2 instance id like "i-1234567890abcdef0"';

type Fields = Record<string, unknown>;

/**
 * Reads one event EventBridge delivered. It never throws: whatever arrives (a forged, truncated or foreign event) comes
 * back as a result, for the handler to log and drop, so no malformed event crashes a function or loops a retry.
 */
export function parseEc2Event(raw: unknown): Ec2EventParse {
  const problems: string[] = [];
  if (!isObject(raw)) return malformed([`(event): got ${describe(raw)}; expected an EventBridge event object`], undefined);
  const id = text(raw, 'id', 'the event id EventBridge gave it', problems);
  const source = text(raw, 'source', 'the service that sent it, e.g. "aws.ec2"', problems);
  const detailType = text(raw, 'detail-type', `"${SPOT_INTERRUPTION_WARNING}" and the like`, problems);
  const time = text(raw, 'time', 'an ISO 8601 time like "2021-11-11T21:29:54Z"', problems);
  if (time !== undefined && Number.isNaN(Date.parse(time))) problems.push(`time: got ${describe(time)}; expected an ISO 8601 time like "2021-11-11T21:29:54Z"`);
  const region = text(raw, 'region', 'an AWS region, e.g. "us-east-1"', problems);
  const account = text(raw, 'account', 'a 12-digit AWS account id', problems);
  const detail = raw.detail;
  if (!isObject(detail)) problems.push(`detail: ${detail === undefined ? 'missing' : `got ${describe(detail)}`}; expected an object`);
  if (problems.length > 0 || !isObject(detail)) return malformed(problems, id);
  const common = { id: id!, time: time!, region: region!, account: account! };

  const kind = `${source} / ${detailType}`;
  switch (kind) {
    case `aws.ec2 / ${SPOT_INTERRUPTION_WARNING}`: {
      const instanceId = instance(detail, problems);
      const action = oneOf(detail, 'instance-action', SPOT_INSTANCE_ACTIONS, problems);
      return result(problems, id, () => ({ ...common, kind: 'spot-interruption', instanceIds: [instanceId!], instanceAction: action! }));
    }
    case `aws.ec2 / ${REBALANCE_RECOMMENDATION}`: {
      const instanceId = instance(detail, problems);
      return result(problems, id, () => ({ ...common, kind: 'rebalance-recommendation', instanceIds: [instanceId!] }));
    }
    case `aws.ec2 / ${STATE_CHANGE_NOTIFICATION}`: {
      const instanceId = instance(detail, problems);
      const state = oneOf(detail, 'state', EC2_INSTANCE_STATES, problems);
      return result(problems, id, () => ({ ...common, kind: 'state-change', instanceIds: [instanceId!], state: state! }));
    }
    case `aws.health / ${HEALTH_EVENT}`:
      return healthEvent(detail, common, id!);
    default:
      return {
        ok: false,
        why: 'unsupported',
        problems: [`source and detail-type: got ${JSON.stringify(kind)}; healing handles EC2 spot, rebalance, state-change and AWS Health EC2 events`],
        summary: `event ${id} is not one healing handles (${kind.slice(0, 120)}); dropped`,
      };
  }
}

/** AWS Health: only EC2 scheduled changes, and only the affected entities that are instances (not hosts). */
function healthEvent(detail: Fields, common: Omit<Ec2EventCommon, 'instanceIds'>, id: string): Ec2EventParse {
  const problems: string[] = [];
  const service = text(detail, 'service', '"EC2"', problems, 'detail.');
  const category = text(detail, 'eventTypeCategory', '"scheduledChange"', problems, 'detail.');
  if (problems.length > 0) return malformed(problems, id);
  if (service !== 'EC2' || category !== 'scheduledChange') {
    return {
      ok: false,
      why: 'unsupported',
      problems: [`detail.service and detail.eventTypeCategory: got ${JSON.stringify(`${service} / ${category}`)}; healing handles "EC2 / scheduledChange"`],
      summary: `AWS Health event ${id} is not an EC2 scheduled change; dropped`,
    };
  }
  const eventArn = text(detail, 'eventArn', 'the Health event ARN', problems, 'detail.');
  const eventTypeCode = text(detail, 'eventTypeCode', 'e.g. "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED"', problems, 'detail.');
  const statusCode = detail.statusCode === undefined ? undefined : oneOf(detail, 'statusCode', HEALTH_STATUS_CODES, problems);
  const startTime = typeof detail.startTime === 'string' ? detail.startTime : undefined;
  const entities = detail.affectedEntities;
  const instanceIds: string[] = [];
  if (!Array.isArray(entities) || entities.length === 0) {
    problems.push(
      `detail.affectedEntities: ${entities === undefined ? 'missing' : `got ${describe(entities)}`}; expected a non-empty array of {"entityValue": "<instance id>"}`,
    );
  } else {
    entities.forEach((entity, i) => {
      const value = isObject(entity) ? entity.entityValue : undefined;
      if (typeof value !== 'string' || value === '') {
        problems.push(
          `detail.affectedEntities[${i}].entityValue: ${value === undefined ? 'missing' : `got ${describe(value)}`}; expected ${INSTANCE_ID_ALLOWED}`,
        );
      } else if (INSTANCE_ID.test(value)) instanceIds.push(value);
    });
  }
  if (problems.length > 0) return malformed(problems, id);
  if (instanceIds.length === 0) {
    return {
      ok: false,
      why: 'unsupported',
      problems: ['detail.affectedEntities: no entity is an EC2 instance (a Dedicated Host or another resource)'],
      summary: `AWS Health event ${id} affects no EC2 instance; dropped`,
    };
  }
  return {
    ok: true,
    event: {
      ...common,
      kind: 'scheduled-change',
      instanceIds: [...new Set(instanceIds)],
      eventArn: eventArn!,
      eventTypeCode: eventTypeCode!,
      ...(statusCode ? { statusCode } : {}),
      ...(startTime ? { startTime } : {}),
    },
  };
}

function result(problems: string[], id: string | undefined, build: () => Ec2HealingEvent): Ec2EventParse {
  return problems.length > 0 ? malformed(problems, id) : { ok: true, event: build() };
}

function malformed(problems: string[], id: string | undefined): Ec2EventParse {
  const which = id ? `event ${id}` : 'an event without an id';
  return { ok: false, why: 'malformed', problems, summary: `${which} is malformed (${problems.length} problem${problems.length === 1 ? '' : 's'}); dropped` };
}

function instance(detail: Fields, problems: string[]): string | undefined {
  const value = detail['instance-id'];
  if (typeof value === 'string' && INSTANCE_ID.test(value)) return value;
  problems.push(`detail.instance-id: ${value === undefined ? 'missing' : `got ${describe(value)}`}; expected ${INSTANCE_ID_ALLOWED}`);
  return undefined;
}

function text(fields: Fields, key: string, expected: string, problems: string[], prefix = ''): string | undefined {
  const value = fields[key];
  if (typeof value === 'string' && value !== '') return value;
  problems.push(`${prefix}${key}: ${value === undefined ? 'missing' : `got ${describe(value)}`}; expected ${expected}`);
  return undefined;
}

function oneOf<T extends string>(detail: Fields, key: string, allowed: readonly T[], problems: string[]): T | undefined {
  const value = detail[key];
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`detail.${key}: ${value === undefined ? 'missing' : `got ${describe(value)}`}; expected ${allowed.map((a) => JSON.stringify(a)).join(' | ')}`);
  return undefined;
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value for a problem line: strings quoted and cut, never a whole object. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
