import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { bufferReconcileLines, bufferReconcileRuns } from '../../cli/cost/buffer-cost.js';
import { ASSUMED_SCHEDULED_LAMBDA_MS, idleCost } from '../../cli/cost/idle-cost.js';
import { DYNAMODB_PER_READ_UNIT, LAMBDA_PER_REQUEST } from '../../cli/cost/prices.js';
import { stackInventory } from '../../cli/cost/template-inventory.js';
import type { CfnTemplate } from '../../cli/cost/types.js';
import { RECONCILE_MINUTES } from '../../infra/constructs/scale-buffer-triggers.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';
import { bufferConfig } from '../helpers/scale-buffer-local.js';

describe('Function: idleCost (ScaleBuffer reconcile)', () => {
  let stack: ShepherdStack;

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new ShepherdStack(app, 'cost', { config: bufferConfig(), env: { region: 'eu-west-3' } });
  }, 300_000);

  it("prices the reconcile as the scale-buffer function's requests and duration, with no ScaleBuffer transitions", () => {
    const inventory = stackInventory(Template.fromStack(stack).toJSON() as CfnTemplate);
    const fn = stack.resolve((stack.scaleBuffer!.fn.fn.node.defaultChild as CfnElement).logicalId) as string;
    const machine = stack.resolve((stack.scaleBuffer!.stateMachine.node.defaultChild as CfnElement).logicalId) as string;
    const schedule = inventory.schedules.find((s) => s.targets.includes(fn));
    expect(schedule?.expression).toBe(`rate(${RECONCILE_MINUTES} minutes)`);
    const runs = (730 * 60) / RECONCILE_MINUTES;
    expect(schedule?.runsPerMonth).toBe(runs);
    expect(inventory.schedules.some((s) => s.targets.includes(machine))).toBe(false);
    const lines = idleCost({ inventory, secrets: [], nodes: 1, tableBytesPerNode: { bytes: 1, source: 'test' } });
    expect(lines.some((l) => l.item.includes(machine))).toBe(false);
    const requests = lines.find((l) => l.item.includes(fn) && l.item.endsWith('requests'));
    const duration = lines.find((l) => l.item.includes(fn) && l.item.endsWith('duration'));
    expect(requests?.quantity).toBe(runs);
    expect(requests?.cost).toBeCloseTo(runs * LAMBDA_PER_REQUEST, 10);
    const memoryMb = inventory.functions.find((f) => f.logicalId === fn)?.memoryMb ?? 0;
    expect(memoryMb).toBe(256);
    expect(duration?.quantity).toBeCloseTo(runs * (memoryMb / 1024) * (ASSUMED_SCHEDULED_LAMBDA_MS / 1000), 6);
    // Down from $4.71 a month as one Standard execution per period: cents now.
    expect((requests?.cost ?? 1) + (duration?.cost ?? 1)).toBeLessThan(0.1);
  });

  it("prices the reconcile's table reads from its schedule: per pool its memory and claims, the cluster memory and the pause switch", () => {
    const inventory = stackInventory(Template.fromStack(stack).toJSON() as CfnTemplate);
    const fn = stack.resolve((stack.scaleBuffer!.fn.fn.node.defaultChild as CfnElement).logicalId) as string;
    const runs = bufferReconcileRuns(inventory);
    // The schedule found is the one that invokes the scale-buffer function.
    expect(runs).toBe(inventory.schedules.find((s) => s.targets.includes(fn))?.runsPerMonth);
    expect(runs).toBeGreaterThan(0);
    const pools = bufferConfig().buffers!.pools.length;
    const lines = bufferReconcileLines({ pools, runsPerMonth: runs });
    const reads = lines.find((l) => l.item.startsWith('Buffer reconcile: DynamoDB reads'));
    expect(reads?.quantity).toBe(runs * (2 * pools + 2));
    expect(reads?.cost).toBeCloseTo(runs * (2 * pools + 2) * DYNAMODB_PER_READ_UNIT, 10);
    expect(lines.map((l) => l.item)).toEqual([
      expect.stringContaining('DynamoDB reads'),
      expect.stringContaining('DynamoDB writes'),
      expect.stringContaining('CloudWatch Logs'),
    ]);
    // Without a buffers section there is no reconcile schedule to price.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const plain = new ShepherdStack(app, 'plain', { config: { ...bufferConfig(), buffers: undefined }, env: { region: 'eu-west-3' } });
    expect(bufferReconcileRuns(stackInventory(Template.fromStack(plain).toJSON() as CfnTemplate))).toBe(0);
  }, 300_000);
});
