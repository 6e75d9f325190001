import type { RunContext, SimRequest, SimResponse } from '../../http.js';
import { notFound } from './errors.js';
import { operationPath, zonePath } from './links.js';
import { listPage } from './list-page.js';
import type { OperationStore } from './operations.js';

/** zoneOperations.wait returns after at most this long (simulated), DONE or not, as GCE's does. */
const WAIT_MAX_MS = 120_000;

export class ZoneOperationsApi {
  constructor(private readonly ops: OperationStore) {}

  get(project: string, zone: string, name: string): SimResponse {
    return { status: 200, body: this.ops.toJson(this.mustGet(project, zone, name)) };
  }

  /**
   * zoneOperations.list (https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations/list): `filter`,
   * `maxResults` (default and most 500) and `pageToken`; `items` is left out of an empty page.
   */
  list(req: SimRequest, project: string, zone: string): SimResponse {
    const all = this.ops.list(project, zone).map((op) => this.ops.toJson(op));
    return listPage(req, 'compute#operationList', `${zonePath(project, zone)}/operations`, all);
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
