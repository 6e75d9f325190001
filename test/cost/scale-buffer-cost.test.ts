import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { idleCost } from '../../cli/cost/idle-cost.js';
import { SFN_STANDARD_PER_TRANSITION } from '../../cli/cost/prices.js';
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

  it("prices the reconcile as one ScaleBuffer execution per period, each entering the machine's states", () => {
    const inventory = stackInventory(Template.fromStack(stack).toJSON() as CfnTemplate);
    const machine = stack.resolve((stack.scaleBuffer!.stateMachine.node.defaultChild as CfnElement).logicalId) as string;
    const schedule = inventory.schedules.find((s) => s.targets.includes(machine));
    expect(schedule?.expression).toBe(`rate(${RECONCILE_MINUTES} minutes)`);
    expect(schedule?.runsPerMonth).toBe((730 * 60) / RECONCILE_MINUTES);
    const states = inventory.stateMachines.find((m) => m.logicalId === machine)?.states ?? 0;
    expect(states).toBeGreaterThan(10);
    const lines = idleCost({ inventory, secrets: [], nodes: 1, tableBytesPerNode: { bytes: 1, source: 'test' } });
    const line = lines.find((l) => l.item.includes(machine) && l.item.includes('transitions'));
    expect(line?.quantity).toBe(((730 * 60) / RECONCILE_MINUTES) * states);
    expect(line?.cost).toBeCloseTo(line!.quantity * SFN_STANDARD_PER_TRANSITION, 10);
    // A Standard execution every 10 minutes stays under a few dollars a month (the lower bound the line states).
    expect(line?.cost).toBeLessThan(5);
  });
});
