import type { RunContext, SimRequest, SimResponse } from '../../http.js';
import { invalidField, notFound } from './errors.js';
import { FilterSyntaxError, parseFilter } from './filter.js';
import { decodePageToken, encodePageToken, MAX_RESULTS } from './instances.js';
import { link, operationPath, zonePath } from './links.js';
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
    const filterText = req.query.get('filter') ?? '';
    let filter: ReturnType<typeof parseFilter>;
    try {
      filter = parseFilter(filterText);
    } catch (err) {
      if (err instanceof FilterSyntaxError) throw invalidField('filter', filterText, 'Invalid list filter expression.');
      throw err;
    }
    const rawMax = req.query.get('maxResults');
    const maxResults = rawMax === null || rawMax === '0' ? MAX_RESULTS : Number(rawMax);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS) {
      throw invalidField('maxResults', rawMax, `Must be less than or equal to ${MAX_RESULTS}`);
    }
    const offset = decodePageToken(req.query.get('pageToken'));
    const items = this.ops
      .list(project, zone)
      .map((op) => this.ops.toJson(op))
      .filter(filter);
    const page = items.slice(offset, offset + maxResults);
    const body: Record<string, unknown> = {
      kind: 'compute#operationList',
      id: `${zonePath(project, zone)}/operations`,
      selfLink: link(`${zonePath(project, zone)}/operations`),
    };
    if (page.length > 0) body.items = page;
    if (offset + maxResults < items.length) body.nextPageToken = encodePageToken(offset + maxResults);
    return { status: 200, body };
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
