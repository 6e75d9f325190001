import { readFileSync } from 'node:fs';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../functions/decisions/watcher/event-types.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';
import { bufferConfig } from '../helpers/scale-buffer-local.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const cdkContext = JSON.parse(readFileSync(root('cdk.json'), 'utf8')).context as Record<string, unknown>;

function synth(config = bufferConfig()): { stack: ShepherdStack; template: Template } {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ShepherdStack(app, 'test', { config, env: { region: 'eu-west-3', account: '123456789012' } });
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;
const list = (x: unknown) => (Array.isArray(x) ? x : [x]);

/** Every statement of the policies attached to the role with this logical id. */
function roleStatements(template: Template, role: string): { Sid?: string; Action: string | string[]; Resource: unknown }[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => list(p.Properties.Roles).some((r: { Ref?: string }) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

let withBuffers: { stack: ShepherdStack; template: Template };
let without: Template;

beforeAll(() => {
  withBuffers = synth();
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  without = Template.fromStack(
    new ShepherdStack(app, 'plain', { config: loadConfigFile(root('shepherd.config.json')), env: { region: 'eu-west-3', account: '123456789012' } }),
  );
}, 120_000);

describe('Construct: ScaleBuffer (in the stack)', () => {
  it('exists only with a buffers section: one state machine, two functions, two rules, two log groups for functions and one vended, alarms', () => {
    const count = (t: Template, type: string) => Object.keys(t.findResources(type)).length;
    const t = withBuffers.template;
    expect(count(t, 'AWS::StepFunctions::StateMachine') - count(without, 'AWS::StepFunctions::StateMachine')).toBe(1);
    // Besides ScaleBuffer's own, the cluster hints that come with buffer pools: one function, its keep-alive rule, its
    // log group and errors alarm (test/infra/cluster-hints.test.ts).
    expect(count(t, 'AWS::Lambda::Function') - count(without, 'AWS::Lambda::Function')).toBe(2 + 1);
    expect(count(t, 'AWS::Events::Rule') - count(without, 'AWS::Events::Rule')).toBe(2 + 1);
    expect(count(t, 'AWS::Logs::LogGroup') - count(without, 'AWS::Logs::LogGroup')).toBe(3 + 1);
    // The failed-executions alarm of the machine and an errors alarm per function.
    expect(count(t, 'AWS::CloudWatch::Alarm') - count(without, 'AWS::CloudWatch::Alarm')).toBe(3 + 1);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'shepherd-kosmos-demo-scale-buffer' });
    expect(Object.keys(t.toJSON().Outputs)).toContain('ScaleBufferStateMachineArn');
    expect(Object.keys(without.toJSON().Outputs)).not.toContain('ScaleBufferStateMachineArn');
  });

  it("the state machine's role starts only ProvisionNode and RemoveNode executions", () => {
    const { stack, template } = withBuffers;
    const role = logicalId(stack, stack.scaleBuffer!.stateMachine.role);
    const starts = roleStatements(template, role).filter((s) => list(s.Action).includes('states:StartExecution'));
    const targets = starts.flatMap((s) => list(s.Resource)).map((r) => JSON.stringify(r));
    expect(targets).toHaveLength(2);
    expect(targets.some((t) => t.includes(logicalId(stack, stack.provisionNode.stateMachine)))).toBe(true);
    expect(targets.some((t) => t.includes(logicalId(stack, stack.removeNode.stateMachine)))).toBe(true);
    expect(roleStatements(template, role).flatMap((s) => list(s.Action))).not.toContain('states:*');
  });

  it("the intake starts only ScaleBuffer; the watcher's three capacity events reach it", () => {
    const { stack, template } = withBuffers;
    const triggers = stack.scaleBufferTriggers!;
    const statements = roleStatements(template, logicalId(stack, triggers.intake.role)).filter((s) => s.Sid === 'StartScaleBuffer');
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('states:StartExecution');
    expect(statements[0].Resource).toEqual({ Ref: logicalId(stack, stack.scaleBuffer!.stateMachine) });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: [WATCHER_SOURCE],
        'detail-type': [WATCHER_DETAIL_TYPES.podsUnschedulable, WATCHER_DETAIL_TYPES.providerDegraded, WATCHER_DETAIL_TYPES.providerRecovered],
      },
    });
  });

  it('the reconcile invokes the scale-buffer function every 10 minutes with the reconcile action and the schedule time', () => {
    const { stack, template } = withBuffers;
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(10 minutes)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(stack, stack.scaleBuffer!.fn.fn), 'Arn'] },
          InputTransformer: { InputPathsMap: { time: '$.time' }, InputTemplate: '{"action":"reconcile","scheduledAt":<time>}' },
        }),
      ],
    });
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    const machine = logicalId(stack, stack.scaleBuffer!.stateMachine);
    expect(rules.some((r) => JSON.stringify(r.Properties.Targets ?? []).includes(`"Ref":"${machine}"`))).toBe(false);
  });

  it('the function may start executions of ScaleBuffer only, named by its physical name (no reference, so no cycle)', () => {
    const { stack, template } = withBuffers;
    const statements = roleStatements(template, logicalId(stack, stack.scaleBuffer!.fn.role));
    const starts = statements.filter((s) => list(s.Action).some((a: string) => a.startsWith('states:')));
    expect(starts).toHaveLength(1);
    expect(starts[0].Sid).toBe('StartReconcile');
    expect(starts[0].Action).toBe('states:StartExecution');
    const resource = JSON.stringify(stack.resolve(starts[0].Resource));
    expect(resource).toContain(':stateMachine:shepherd-kosmos-demo-scale-buffer');
    expect(resource).not.toContain('execution');
    expect(resource).not.toContain('*');
  });

  it("the function's table access is limited to its own items, the pools' counters and the audit", () => {
    const { stack, template } = withBuffers;
    const statements = roleStatements(template, logicalId(stack, stack.scaleBuffer!.fn.role)) as unknown as {
      Sid?: string;
      Action: string | string[];
      Condition?: Record<string, Record<string, string[]>>;
    }[];
    const dynamo = statements.filter((s) => list(s.Action).some((a: string) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => s.Sid).sort()).toEqual(['BufferMemory', 'PoolLeases', 'ReadPauseSwitch', 'ReadPoolClaims', 'WriteAudit']);
    for (const s of dynamo) expect(s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toBeDefined();
    expect(dynamo.flatMap((s) => list(s.Action))).not.toContain('dynamodb:Scan');
  });
});
