import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';

/**
 * docs/deploy.md tells someone about to deploy what `cdk deploy` creates and what `cdk destroy` leaves behind. It is
 * written by hand, so it is checked against the stack synthesized from the shipped config: every state machine,
 * function and output is named there, and its count of retained log groups is the template's.
 */
const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const doc = readFileSync(root('docs/deploy.md'), 'utf8');
const cdkContext = JSON.parse(readFileSync(root('cdk.json'), 'utf8')).context as Record<string, unknown>;
let template: ReturnType<Template['toJSON']>;
let cluster: string;

beforeAll(() => {
  const config = loadConfigFile(root('shepherd.config.json'));
  cluster = config.cluster.name;
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ShepherdStack(app, 'doc', { config, env: { account: '123456789012', region: 'eu-west-3' } });
  template = Template.fromStack(stack).toJSON();
});

/** The names the template gives resources of `type` under `property`, without the `shepherd-<cluster>` prefix. */
function suffixes(type: string, property: string): string[] {
  return Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>)
    .filter((r) => r.Type === type)
    .map((r) => String(r.Properties[property]).replace(`shepherd-${cluster}`, ''))
    .sort();
}

describe('docs/deploy.md', () => {
  it('names every state machine the stack creates', () => {
    const names = suffixes('AWS::StepFunctions::StateMachine', 'StateMachineName');
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(doc, `state machine shepherd-<cluster>${name}`).toContain(`\`shepherd-<cluster>${name}\``);
  });

  it('names every function the stack creates (provider functions by their pattern)', () => {
    const names = suffixes('AWS::Lambda::Function', 'FunctionName').filter((n) => !n.startsWith('-provider-'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names)
      expect(
        [`\`${name}\``, `\`shepherd-<cluster>${name}\``].some((n) => doc.includes(n)),
        `function ${name}`,
      ).toBe(true);
    expect(doc).toContain('`-provider-<name>`');
  });

  it('names every stack output', () => {
    for (const output of Object.keys(template.Outputs ?? {})) expect(doc, `output ${output}`).toContain(`\`${output}\``);
  });

  it('counts the log groups cdk destroy leaves behind as the template has them', () => {
    const groups = Object.values(template.Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    const vended = suffixes('AWS::Logs::LogGroup', 'LogGroupName').filter((n) => n.includes('/aws/vendedlogs/states/'));
    expect(doc).toContain(`the ${groups.length} log groups: the ${vended.length} under \`/aws/vendedlogs/states/`);
  });
});
