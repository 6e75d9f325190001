import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterHintsLines } from '../../cli/commands/cost.js';
import { ASSUMED_HINT_ROUND_MS, clusterHintsCost } from '../../cli/cost/cluster-hints-cost.js';
import { IDLE_POLLERS } from '../../cli/cost/dns-checks-cost.js';
import { idleCost, total } from '../../cli/cost/idle-cost.js';
import { DYNAMODB_PER_READ_UNIT, DYNAMODB_PER_WRITE_UNIT, LAMBDA_PER_GB_SECOND, LAMBDA_PER_REQUEST, SQS_PER_REQUEST } from '../../cli/cost/prices.js';
import { type StackInventory, stackInventory } from '../../cli/cost/template-inventory.js';
import type { CfnTemplate } from '../../cli/cost/types.js';
import { loadConfigFile } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';
import { bufferConfig } from '../helpers/scale-buffer-local.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const cdkContext = JSON.parse(readFileSync(root('cdk.json'), 'utf8')).context as Record<string, unknown>;

function inventoryOf(config: ShepherdConfig): StackInventory {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ShepherdStack(app, 'cost', { config, env: { region: 'eu-west-3', account: '123456789012' } });
  return stackInventory(Template.fromStack(stack).toJSON() as CfnTemplate);
}

describe('Function: clusterHintsCost', () => {
  it('prices a tick every interval: Lambda, three SQS calls, the pollers, one write and one read', () => {
    const lines = clusterHintsCost({ intervalSeconds: 10, runner: { memoryMb: 128, architecture: 'arm64' } });
    const ticks = (730 * 3600) / 10;
    const by = (prefix: string) => lines.find((l) => l.item.startsWith(prefix));
    expect(by('Cluster hints: Lambda requests')?.cost).toBeCloseTo(ticks * LAMBDA_PER_REQUEST, 10);
    expect(by('Cluster hints: Lambda duration')?.quantity).toBeCloseTo(ticks * (128 / 1024) * (ASSUMED_HINT_ROUND_MS / 1000), 6);
    expect(by('Cluster hints: Lambda duration')?.unitPrice).toBe(LAMBDA_PER_GB_SECOND.arm64);
    expect(by('Cluster hints: SQS SendMessage')?.quantity).toBe(3 * ticks);
    expect(by('Cluster hints: SQS empty long polls')?.quantity).toBe(IDLE_POLLERS * ((730 * 3600) / 20));
    expect(by('Cluster hints: DynamoDB writes')?.cost).toBeCloseTo(ticks * DYNAMODB_PER_WRITE_UNIT, 10);
    expect(by('Cluster hints: DynamoDB reads')?.cost).toBeCloseTo(ticks * DYNAMODB_PER_READ_UNIT, 10);
    // Twice the interval, half the per-tick lines; the pollers do not depend on it.
    const slower = clusterHintsCost({ intervalSeconds: 20, runner: { memoryMb: 128, architecture: 'arm64' } });
    const polls = IDLE_POLLERS * ((730 * 3600) / 20) * SQS_PER_REQUEST;
    expect(total(slower) - polls).toBeCloseTo((total(lines) - polls) / 2, 6);
  });
});

describe('Function: clusterHintsLines (shepherd cost)', () => {
  let withBuffers: StackInventory;
  let shipped: StackInventory;
  beforeAll(() => {
    withBuffers = inventoryOf(bufferConfig());
    shipped = inventoryOf(loadConfigFile(root('shepherd.config.json')));
  }, 120_000);

  it('adds the hint lines with buffer pools, priced at the function the template has, and its keep-alive with the schedules', () => {
    const config = bufferConfig();
    const lines = clusterHintsLines(config, withBuffers);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0].note).toContain(`every ${config.watcher.hintSeconds} s`);
    expect(lines.find((l) => l.item.includes('duration'))?.note).toContain('128 MB');
    const idle = idleCost({ inventory: withBuffers, secrets: [], nodes: 1, tableBytesPerNode: { bytes: 1, source: 'test' } });
    expect(idle.some((l) => l.item.includes('ClusterHintsFunction'))).toBe(true);
    // Under a dollar a month at 10 s: the part `shepherd cost` adds for sub-minute detection.
    expect(total(lines)).toBeLessThan(1);
  });

  it('adds nothing, and changes nothing, for the shipped config (no buffer pools)', () => {
    const config = loadConfigFile(root('shepherd.config.json'));
    expect(clusterHintsLines(config, shipped)).toEqual([]);
    const idle = idleCost({ inventory: shipped, secrets: [], nodes: 1, tableBytesPerNode: { bytes: 1, source: 'test' } });
    expect(idle.some((l) => /ClusterHints|Cluster hints/.test(l.item))).toBe(false);
  });
});
