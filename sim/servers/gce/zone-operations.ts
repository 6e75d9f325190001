import type { RunContext, SimResponse } from '../../http.js';
import { notFound } from './errors.js';
import { operationPath } from './links.js';
import type { OperationStore } from './operations.js';

/** zoneOperations.wait returns after at most this long (simulated), DONE or not, as GCE's does. */
const WAIT_MAX_MS = 120_000;

export class ZoneOperationsApi {
  constructor(private readonly ops: OperationStore) {}

  get(project: string, zone: string, name: string): SimResponse {
    return { status: 200, body: this.ops.toJson(this.mustGet(project, zone, name)) };
  }

  async wait(call: RunContext, project: string, zone: string, name: string): Promise<SimResponse> {
    const op = this.mustGet(project, zone, name);
    await call.idle(this.ops.untilDone(op, WAIT_MAX_MS));
    return { status: 200, body: this.ops.toJson(op) };
  }

  private mustGet(project: string, zone: string, name: string) {
    const op = this.ops.get(project, zone, name);
    if (!op) throw notFound(operationPath(project, zone, name));
    return op;
  }
}
