import type { IncomingMessage, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import type { Random } from '../../sim/index.js';

/**
 * Fault injection on the local DynamoDB, as the real service fails under load. DynamoDB's "Error handling with
 * DynamoDB" page (Developer Guide) lists the throttling errors, HTTP 400 with `ProvisionedThroughputExceededException`
 * (a table or partition over its throughput; on-demand tables too, past their limits) or `ThrottlingException`, and
 * `InternalServerError` (HTTP 500), and says all three are to be retried with exponential backoff.
 */
export type DynamoFault = { kind: 'throttle'; error?: 'ProvisionedThroughputExceededException' | 'ThrottlingException' } | { kind: 'internal-error' };

/** Which requests a fault hits. */
export interface DynamoFaultRule {
  /** The operation, as in X-Amz-Target (`UpdateItem`, `PutItem`, `GetItem`, ...); any when absent. */
  operation?: string;
  /** Matching requests to let through first. Default 0. */
  after?: number;
  /** Matching requests to hit, after those. Default 1; `Infinity` until cleared. */
  count?: number;
  /** Of the requests in range, the fraction hit (seeded by the control plane's seed). Default 1. */
  rate?: number;
  fault: DynamoFault;
}

export interface ArmedDynamoFault {
  readonly rule: DynamoFaultRule;
  readonly hits: number;
  clear(): void;
}

const ERRORS: Record<
  'ProvisionedThroughputExceededException' | 'ThrottlingException' | 'InternalServerError',
  { status: number; type: string; message: string }
> = {
  // The messages are the real service's.
  ProvisionedThroughputExceededException: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  ThrottlingException: { status: 400, type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  InternalServerError: { status: 500, type: 'com.amazon.coral.service#InternalServerError', message: 'Internal server error' },
};

class Armed implements ArmedDynamoFault {
  seen = 0;
  hits = 0;
  cleared = false;

  constructor(readonly rule: DynamoFaultRule) {}

  clear(): void {
    this.cleared = true;
  }

  /** Counts one request of the rule's operation; true when the rule hits it (only if `free`: no earlier rule did). */
  take(operation: string, random: Random, free: boolean): boolean {
    if (this.cleared || (this.rule.operation !== undefined && this.rule.operation !== operation)) return false;
    this.seen++;
    const after = this.rule.after ?? 0;
    if (!free || this.seen <= after || this.seen > after + (this.rule.count ?? 1)) return false;
    if (this.rule.rate !== undefined && !random.chance(this.rule.rate)) return false;
    this.hits++;
    return true;
  }
}

export class DynamoFaults {
  private readonly rules: Armed[] = [];

  constructor(private readonly random: Random) {}

  /** Arms a fault; one request takes at most one fault (the earliest armed rule that hits it). */
  dynamodb(rule: DynamoFaultRule): ArmedDynamoFault {
    const armed = new Armed(rule);
    this.rules.push(armed);
    return armed;
  }

  /** Answers the request with a fault and returns true, or returns false to let it through. */
  intercept(req: IncomingMessage, res: ServerResponse): boolean {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    let fault: DynamoFault | undefined;
    for (const rule of this.rules) if (rule.take(operation, this.random, fault === undefined)) fault = rule.rule.fault;
    if (!fault) return false;
    const error = ERRORS[fault.kind === 'throttle' ? (fault.error ?? 'ProvisionedThroughputExceededException') : 'InternalServerError'];
    const body = JSON.stringify({ __type: error.type, message: error.message });
    req.resume();
    res.writeHead(error.status, {
      'Content-Type': 'application/x-amz-json-1.0',
      'Content-Length': Buffer.byteLength(body),
      'x-amz-crc32': String(crc32(body)),
      'x-amzn-RequestId': `FAULT${Date.now().toString(36).toUpperCase()}`,
    });
    res.end(body);
    return true;
  }
}
