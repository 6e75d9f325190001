import type { SimEnv } from '../../env.js';
import type { SimRequest, SimResponse } from '../../http.js';
import { regionOfZone } from '../../world/catalog.js';
import { isInsufficientCapacityError } from '../../world/errors.js';
import type { Vm, VmState } from '../../world/types.js';
import { alreadyExists, conditionNotMet, GceApiError, invalidField, notFound, parseError, requiredField } from './errors.js';
import { checkLabels, planInsert } from './instance-input.js';
import { fingerprint, gceRecord, instanceJson, instanceStatus, labelFingerprint } from './instance-view.js';
import { instancePath, zonePath } from './links.js';
import { listPage } from './list-page.js';
import type { OperationStore } from './operations.js';
import type { InstanceBody, MetadataItem, ZonalOperation } from './types.js';

/** An insert's operation is DONE once the instance exists (PROVISIONING), well before it runs. */
const INSERT_DONE_MS = 6_000;
/** A launch that fails (no capacity) is reported this long after the call. */
const FAILED_INSERT_MS = 4_000;
/** Calls with nothing to wait for (labels, stopping a stopped VM). */
const QUICK_OP_MS = 2_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** instances.* on the world's GCP VMs, found by (project, zone, name). */
export class InstancesApi {
  constructor(
    private readonly env: SimEnv,
    private readonly ops: OperationStore,
  ) {}

  insert(req: SimRequest, project: string, zone: string): SimResponse {
    const region = this.requireZone(project, zone);
    return this.mutation(req, project, () => {
      const { catalog, unkindness } = this.env.world;
      const plan = planInsert(readBody<InstanceBody>(req), { project, zone, region }, catalog, {
        zonalMachineTypes: unkindness.has('gce-zonal-machine-types'),
        imageArchitecture: unkindness.has('gce-image-arch-check'),
      });
      const path = instancePath(project, zone, plan.name);
      if (this.find(project, zone, plan.name)) throw alreadyExists(path);
      let vm: Vm;
      try {
        vm = this.env.world.launchVm({
          provider: 'gcp',
          project,
          zone,
          type: plan.machineType,
          name: plan.name,
          userData: plan.userData,
          tags: plan.labels,
          spot: plan.spot,
          spotAction: plan.spotAction,
          extra: { gce: plan.record },
        });
      } catch (err) {
        if (!isInsufficientCapacityError(err)) throw err;
        // The call succeeds; the operation fails later and no instance remains, as on GCE.
        const op = this.ops.create({ project, zone, operationType: 'insert', targetPath: path, targetId: this.env.random.digits(19) });
        this.ops.finishAfter(op, FAILED_INSERT_MS, {
          code: 'ZONE_RESOURCE_POOL_EXHAUSTED',
          message: `The zone '${zonePath(project, zone)}' does not have enough resources available to fulfill the request.  Try a different zone, or try again later.`,
          httpStatus: 503,
          httpMessage: 'SERVICE UNAVAILABLE',
        });
        return op;
      }
      const op = this.ops.create({ project, zone, operationType: 'insert', targetPath: path, targetId: vm.id });
      this.ops.finishAfter(op, INSERT_DONE_MS);
      return op;
    });
  }

  get(project: string, zone: string, name: string): SimResponse {
    this.requireZone(project, zone);
    const vm = this.mustFind(project, zone, name);
    return { status: 200, body: this.json(vm) };
  }

  list(req: SimRequest, project: string, zone: string): SimResponse {
    this.requireZone(project, zone);
    const all = this.env.world
      .listVms('gcp')
      .filter((vm) => vm.project === project && vm.zone === zone && vm.state !== 'terminated')
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((vm) => this.json(vm));
    return listPage(req, 'compute#instanceList', `${zonePath(project, zone)}/instances`, all);
  }

  delete(req: SimRequest, project: string, zone: string, name: string): SimResponse {
    this.requireZone(project, zone);
    return this.mutation(req, project, () => {
      const vm = this.mustFind(project, zone, name);
      const op = this.startOp(vm, 'delete');
      this.env.world.terminateVm(vm.id);
      this.ops.finishWhen(op, vm.id, (v) => v.state === 'terminated');
      return op;
    });
  }

  stop(req: SimRequest, project: string, zone: string, name: string): SimResponse {
    this.requireZone(project, zone);
    return this.mutation(req, project, () => {
      const vm = this.mustFind(project, zone, name);
      if (vm.state === 'shutting-down') throw notReady(vm);
      const op = this.startOp(vm, 'stop');
      if (vm.state === 'stopped') this.ops.finishAfter(op, QUICK_OP_MS);
      else {
        this.env.world.stopVm(vm.id);
        this.ops.finishWhen(op, vm.id, (v) => isOneOf(v.state, ['stopped', 'terminated']));
      }
      return op;
    });
  }

  start(req: SimRequest, project: string, zone: string, name: string): SimResponse {
    this.requireZone(project, zone);
    return this.mutation(req, project, () => {
      const vm = this.mustFind(project, zone, name);
      if (isOneOf(vm.state, ['stopping', 'shutting-down'])) throw notReady(vm);
      const op = this.startOp(vm, 'start');
      if (vm.state === 'running') this.ops.finishAfter(op, QUICK_OP_MS);
      else {
        this.env.world.startVm(vm.id);
        this.ops.finishWhen(op, vm.id, (v) => isOneOf(v.state, ['running', 'terminated']));
      }
      return op;
    });
  }

  setLabels(req: SimRequest, project: string, zone: string, name: string): SimResponse {
    this.requireZone(project, zone);
    return this.mutation(req, project, () => {
      const vm = this.mustFind(project, zone, name);
      const body = readBody<{ labels?: Record<string, string>; labelFingerprint?: string }>(req);
      if (!body) throw requiredField('resource');
      if (body.labelFingerprint !== labelFingerprint(vm.tags)) throw conditionNotMet('Labels fingerprint either invalid or resource labels have changed');
      const labels = body.labels ?? {};
      checkLabels(labels, 'labels');
      this.env.world.setVmTags(
        vm.id,
        labels,
        Object.keys(vm.tags).filter((k) => !(k in labels)),
      );
      const op = this.startOp(vm, 'setLabels');
      this.ops.finishAfter(op, QUICK_OP_MS);
      return op;
    });
  }

  /**
   * instances.setMetadata (https://cloud.google.com/compute/docs/reference/rest/v1/instances/setMetadata): replaces every
   * item; the request must carry the current metadata fingerprint, else 412 conditionNotMet, as for labels.
   */
  setMetadata(req: SimRequest, project: string, zone: string, name: string): SimResponse {
    this.requireZone(project, zone);
    return this.mutation(req, project, () => {
      const vm = this.mustFind(project, zone, name);
      const body = readBody<{ fingerprint?: string; items?: MetadataItem[] }>(req);
      if (!body) throw requiredField('resource');
      const record = gceRecord(vm);
      if (body.fingerprint !== fingerprint(record.metadataItems)) {
        throw conditionNotMet('Supplied fingerprint does not match current metadata fingerprint.');
      }
      const items = (body.items ?? []).map((i) => ({ key: i.key, ...(i.value !== undefined ? { value: i.value } : {}) }));
      this.env.world.setVmExtra(vm.id, { gce: { ...record, metadataItems: items } });
      const op = this.startOp(vm, 'setMetadata');
      this.ops.finishAfter(op, QUICK_OP_MS);
      return op;
    });
  }

  /** A mutation honouring `requestId`: a repeated id returns the first call's operation and does nothing. */
  private mutation(req: SimRequest, project: string, start: () => ZonalOperation): SimResponse {
    const requestId = req.query.get('requestId');
    if (requestId !== null) {
      if (!UUID.test(requestId) || requestId === ZERO_UUID) {
        throw invalidField('requestId', requestId, `The request ID must be a valid UUID with the exception that zero UUID is not supported (${ZERO_UUID}).`);
      }
      const earlier = this.ops.forRequest(project, requestId);
      if (earlier) return { status: 200, body: this.ops.toJson(earlier) };
    }
    const op = start();
    if (requestId !== null) this.ops.remember(project, requestId, op);
    return { status: 200, body: this.ops.toJson(op) };
  }

  private startOp(vm: Vm, operationType: string): ZonalOperation {
    const project = vm.project ?? '';
    return this.ops.create({ project, zone: vm.zone, operationType, targetPath: instancePath(project, vm.zone, vm.name), targetId: vm.id });
  }

  private json(vm: Vm): Record<string, unknown> {
    // Only VMs that still exist get here: find() and list() skip terminated ones.
    const status = instanceStatus(vm, this.env.clock.now())!;
    return instanceJson(vm, status, (ms) => this.env.clock.iso(ms));
  }

  private requireZone(project: string, zone: string): string {
    const region = regionOfZone(this.env.world.catalog, 'gcp', zone);
    if (!region) throw notFound(zonePath(project, zone));
    return region;
  }

  private find(project: string, zone: string, name: string): Vm | undefined {
    return this.env.world.listVms('gcp').find((vm) => vm.project === project && vm.zone === zone && vm.name === name && vm.state !== 'terminated');
  }

  private mustFind(project: string, zone: string, name: string): Vm {
    const vm = this.find(project, zone, name);
    if (!vm) throw notFound(instancePath(project, zone, name));
    return vm;
  }
}

function readBody<T>(req: SimRequest): T | undefined {
  try {
    return req.json<T>();
  } catch {
    throw parseError();
  }
}

function notReady(vm: Vm): GceApiError {
  return new GceApiError(400, 'resourceNotReady', `The resource '${instancePath(vm.project ?? '', vm.zone, vm.name)}' is not ready`);
}

function isOneOf(state: VmState, states: VmState[]): boolean {
  return states.includes(state);
}
