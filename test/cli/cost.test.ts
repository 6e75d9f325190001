import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLOUDWATCH_ALARM_MONTH, SECRETS_MANAGER_PER_SECRET_MONTH } from '../../cli/cost/prices.js';
import type { CostReport } from '../../cli/cost/report.js';
import { main } from '../../cli/main.js';
import minimal from '../../config/examples/minimal.json' with { type: 'json' };
import { parseConfig } from '../../config/load.js';
import { createShepherdApp } from '../../infra/shepherd-app.js';
import { captureContext } from './capture.js';

let dir: string;
let configFile: string;
let alarms: number;
const secretManagerArns = new Set(JSON.stringify(minimal).match(/arn:aws:secretsmanager:[^"]+/g));

/** The minimal config's stack synthesized into a cloud assembly, without bundling (the idle estimate reads only the template). */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shepherd-cli-cost-'));
  configFile = join(dir, 'shepherd.config.json');
  writeFileSync(configFile, JSON.stringify(minimal));
  const { app, stack } = createShepherdApp(parseConfig(minimal), { outdir: join(dir, 'cdk.out'), context: { 'aws:cdk:bundling-stacks': [] } });
  app.synth();
  alarms = Object.keys(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).length;
}, 180_000);

async function cost(...args: string[]) {
  const ctx = captureContext();
  const code = await main(['cost', '--cdk-out', join(dir, 'cdk.out'), '--config', configFile, '--idle-only', ...args], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('shepherd cost', () => {
  it('prints the idle stack per month as JSON: alarms from the template, secrets from the config', async () => {
    const { code, out } = await cost('--json');
    expect(code).toBe(0);
    const report = JSON.parse(out) as CostReport;
    expect(report.nodes).toBe(100);
    const item = (name: string) => report.idle.lines.find((l) => l.item === name)!;
    expect(item('CloudWatch alarms').quantity).toBe(alarms);
    expect(item('Secrets Manager secrets named in the config').quantity).toBe(secretManagerArns.size);
    // The hourly ClaimCleanup sweep: its trigger runs the state machine (priced per transition) 730 times a month.
    const sweep = report.idle.lines.filter((l) => l.item.startsWith('Schedule '));
    expect(sweep.length).toBeGreaterThan(0);
    const expected = alarms * CLOUDWATCH_ALARM_MONTH + secretManagerArns.size * SECRETS_MANAGER_PER_SECRET_MONTH + sweep.reduce((sum, l) => sum + l.cost, 0);
    // Table storage (assumed bytes per node under --idle-only) adds a fraction of a cent.
    expect(report.idle.totalPerMonth).toBeGreaterThanOrEqual(expected);
    expect(report.idle.totalPerMonth - expected).toBeLessThan(0.01);
    expect(report.idle.goal).toEqual({ nodes: 100, limitPerMonth: 2, pass: report.idle.totalPerMonth <= 2 });
    expect(report.provisions).toBeNull();
  });

  it('sizes the table for --nodes and gives no goal verdict at another size', async () => {
    const storage = (r: CostReport) => r.idle.lines.find((l) => l.item.startsWith('DynamoDB storage'))!.quantity;
    const at100 = JSON.parse((await cost('--json')).out) as CostReport;
    const at1000 = JSON.parse((await cost('--json', '--nodes', '1000')).out) as CostReport;
    expect(storage(at1000)).toBeCloseTo(10 * storage(at100), 12);
    expect(at1000.idle.goal).toBeNull();
  });

  it('prints a table with the total and the goal verdict', async () => {
    const { code, out } = await cost();
    expect(code).toBe(0);
    expect(out).toContain('IDLE STACK FOR 100 NODES, PER MONTH');
    expect(out).toMatch(/CloudWatch alarms\s+\d+\s+alarm-month/);
    expect(out).toMatch(/total: \$\d+\.\d\d a month {2}(PASS|FAIL) goal: at most \$2\.00 for 100 nodes/);
  });

  it('rejects a node count below 1 with a usage error', async () => {
    const { code, err } = await cost('--nodes', '0');
    expect(code).toBe(2);
    expect(err).toContain('--nodes must be an integer >= 1');
  });
});
