import { physicalName } from '../infra/physical-names.js';
import type { ShepherdLocal } from './shepherd-local.js';
import type { ExecutionView } from './stepfunctions/stepfunctions.js';

/** What happened to one Node, in simulated epoch ms, as the simulated API server saw it. */
export interface NodeFate {
  cordonedAt?: number;
  deletedAt?: number;
}

/**
 * Watches the simulated cluster and the local Step Functions for what healing does, on the simulated clock: when a
 * Node was cordoned and deleted (from the API server's changes, not from shepherd's own reports), which heal-node
 * and provision-node executions ran. For `npm run bench:healing` and the demo's second act.
 */
export class HealingObserver {
  private readonly fates = new Map<string, NodeFate>();
  readonly healNodeArn: string | undefined;

  constructor(private readonly local: ShepherdLocal) {
    this.healNodeArn = local.controlPlane.stateMachines[physicalName(local.config.cluster.name, 'heal-node', 'stateMachine')];
    local.sim.world.kube.onChange((resource, type, obj) => {
      if (resource !== 'nodes') return;
      const fate = this.fates.get(obj.metadata.name) ?? {};
      const now = local.sim.clock.now();
      if (type === 'DELETED') fate.deletedAt ??= now;
      else if ((obj.spec as { unschedulable?: boolean } | undefined)?.unschedulable) fate.cordonedAt ??= now;
      this.fates.set(obj.metadata.name, fate);
    });
  }

  fate(nodeName: string): NodeFate {
    return this.fates.get(nodeName) ?? {};
  }

  /** ProvisionNode executions for `pool` started at or after `since`, oldest first. */
  provisionsSince(pool: string, since: number): ExecutionView[] {
    const arn = this.local.stateMachineArn('provisionNode');
    return this.local.controlPlane.stepFunctions
      .listExecutions(arn)
      .filter((e) => e.startDate >= since && inputOf(e).pool === pool)
      .sort((a, b) => a.startDate - b.startDate);
  }

  /** HealNode executions about `nodeName`, oldest first (none while HealNode is not in the stack). */
  healsOf(nodeName: string): ExecutionView[] {
    if (!this.healNodeArn) return [];
    return this.local.controlPlane.stepFunctions
      .listExecutions(this.healNodeArn)
      .filter((e) => inputOf(e).nodeName === nodeName)
      .sort((a, b) => a.startDate - b.startDate);
  }

  /** A Node of `pool` other than `except` that is Ready now (the replacement), with the time it became Ready. */
  readyReplacement(pool: string, except: string, since: number): { node: string; readyAt: number } | undefined {
    const { world } = this.local.sim;
    for (const node of world.kube.list('nodes')) {
      if (node.metadata.name === except || node.metadata.labels?.['shepherd.io/pool'] !== pool) continue;
      const ready = world.timeline.find((e) => e.type === 'node.ready' && e.subject === node.metadata.name && e.at >= since);
      if (ready) return { node: node.metadata.name, readyAt: ready.at };
    }
    return undefined;
  }
}

function inputOf(e: ExecutionView): { pool?: string; nodeName?: string } {
  try {
    return JSON.parse(e.input) as { pool?: string; nodeName?: string };
  } catch {
    return {};
  }
}
