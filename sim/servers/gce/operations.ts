import type { Clock } from '../../clock.js';
import type { Random } from '../../random.js';
import type { Vm } from '../../world/types.js';
import type { World } from '../../world/world.js';
import { instancePath, link, operationPath, zonePath } from './links.js';
import type { ZonalOperation } from './types.js';

/** A new operation is PENDING this long before it starts RUNNING. */
const START_DELAY_MS = 500;

interface VmWatch {
  op: ZonalOperation;
  done(vm: Vm): boolean;
}

/**
 * Zonal operations: every mutation returns one at once and it reaches DONE later, on the shared
 * clock, either after a fixed time or when the world's VM reaches the state the call asked for.
 * A failed operation is DONE too, with `error` set (GCE reports most launch failures this way).
 */
export class OperationStore {
  private readonly ops = new Map<string, ZonalOperation>();
  /** `${project}/${requestId}` -> operation name. Kept for the life of the simulator (GCE: at least 60 min). */
  private readonly byRequestId = new Map<string, string>();
  private readonly vmWatches = new Map<string, VmWatch[]>();
  private readonly doneListeners = new Map<string, Set<() => void>>();

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    world: World,
  ) {
    world.on('vm-state', ({ vm }) => this.onVmState(vm));
    // GCE records each preemption as a system operation in the VM's zone, when the VM is stopped or deleted
    // (https://cloud.google.com/compute/docs/instances/spot#detect-preemption).
    world.on('spot-interruption', ({ vm, actionAt }) => {
      if (vm.provider !== 'gcp' || !vm.project) return;
      this.clock.setTimer(Math.max(0, actionAt - this.clock.now()), () => this.recordPreemption(vm), `gce preempt ${vm.id}`);
    });
  }

  /** Every operation of a zone, oldest first. */
  list(project: string, zone: string): ZonalOperation[] {
    return [...this.ops.values()].filter((op) => op.project === project && op.zone === zone).sort((a, b) => a.insertTime - b.insertTime);
  }

  private recordPreemption(vm: Vm): void {
    const op = this.create({
      project: vm.project as string,
      zone: vm.zone,
      operationType: 'compute.instances.preempted',
      targetPath: instancePath(vm.project as string, vm.zone, vm.name),
      targetId: vm.id,
    });
    op.statusMessage = 'Instance was preempted.';
    this.finish(op);
  }

  create(input: { project: string; zone: string; operationType: string; targetPath: string; targetId: string }): ZonalOperation {
    const now = this.clock.now();
    const op: ZonalOperation = {
      ...input,
      id: this.random.digits(19),
      name: `operation-${now}-${this.random.hex(13)}-${this.random.hex(8)}-${this.random.hex(8)}`,
      status: 'PENDING',
      progress: 0,
      insertTime: now,
    };
    this.ops.set(op.name, op);
    this.clock.setTimer(START_DELAY_MS, () => this.begin(op), `gce ${op.name} start`);
    return op;
  }

  /** Completes the operation after `ms`, with `error` when it failed. */
  finishAfter(op: ZonalOperation, ms: number, error?: ZonalOperation['error']): void {
    this.clock.setTimer(Math.max(ms, START_DELAY_MS), () => this.finish(op, error), `gce ${op.name} done`);
  }

  /** Completes the operation once the VM reaches a state `done` accepts. */
  finishWhen(op: ZonalOperation, vmId: string, done: (vm: Vm) => boolean): void {
    const list = this.vmWatches.get(vmId) ?? [];
    list.push({ op, done });
    this.vmWatches.set(vmId, list);
  }

  get(project: string, zone: string, name: string): ZonalOperation | undefined {
    const op = this.ops.get(name);
    return op && op.project === project && op.zone === zone ? op : undefined;
  }

  forRequest(project: string, requestId: string): ZonalOperation | undefined {
    const name = this.byRequestId.get(`${project}/${requestId}`);
    return name ? this.ops.get(name) : undefined;
  }

  remember(project: string, requestId: string, op: ZonalOperation): void {
    this.byRequestId.set(`${project}/${requestId}`, op.name);
  }

  /** Resolves when the operation is DONE or after `maxMs` of simulated time, whichever comes first. */
  untilDone(op: ZonalOperation, maxMs: number): Promise<void> {
    if (op.status === 'DONE') return Promise.resolve();
    return new Promise((resolve) => {
      const listeners = this.doneListeners.get(op.name) ?? new Set();
      this.doneListeners.set(op.name, listeners);
      const settle = () => {
        this.clock.cancel(deadline);
        listeners.delete(settle);
        resolve();
      };
      const deadline = this.clock.setTimer(maxMs, settle, `gce ${op.name} wait`);
      listeners.add(settle);
    });
  }

  toJson(op: ZonalOperation): Record<string, unknown> {
    const out: Record<string, unknown> = {
      kind: 'compute#operation',
      id: op.id,
      name: op.name,
      zone: link(zonePath(op.project, op.zone)),
      operationType: op.operationType,
      targetLink: link(op.targetPath),
      targetId: op.targetId,
      status: op.status,
      progress: op.progress,
      insertTime: this.clock.iso(op.insertTime),
      selfLink: link(operationPath(op.project, op.zone, op.name)),
    };
    if (op.statusMessage) out.statusMessage = op.statusMessage;
    if (op.startTime !== undefined) out.startTime = this.clock.iso(op.startTime);
    if (op.endTime !== undefined) out.endTime = this.clock.iso(op.endTime);
    if (op.error) {
      out.error = { errors: [{ code: op.error.code, message: op.error.message }] };
      out.httpErrorStatusCode = op.error.httpStatus;
      out.httpErrorMessage = op.error.httpMessage;
    }
    return out;
  }

  private begin(op: ZonalOperation): void {
    if (op.status !== 'PENDING') return;
    op.status = 'RUNNING';
    op.startTime = this.clock.now();
  }

  private finish(op: ZonalOperation, error?: ZonalOperation['error']): void {
    if (op.status === 'DONE') return;
    const now = this.clock.now();
    op.startTime ??= now;
    op.status = 'DONE';
    op.progress = 100;
    op.endTime = now;
    if (error) op.error = error;
    const listeners = [...(this.doneListeners.get(op.name) ?? [])];
    this.doneListeners.delete(op.name);
    for (const l of listeners) l();
  }

  private onVmState(vm: Vm): void {
    const watches = this.vmWatches.get(vm.id);
    if (!watches) return;
    const remaining = watches.filter((w) => {
      if (!w.done(vm)) return true;
      this.finish(w.op);
      return false;
    });
    if (remaining.length > 0) this.vmWatches.set(vm.id, remaining);
    else this.vmWatches.delete(vm.id);
  }
}
