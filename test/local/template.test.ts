import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStack } from '../../local/cloudformation/template.js';
import { TemplateError } from '../../local/errors.js';

const R = 'eu-west-3';
const A = '123456789012';
let dir: string;

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A minimal cloud assembly: manifest.json, one asset manifest and the given stack templates. */
function assembly(stacks: Record<string, object>): string {
  dir = mkdtempSync(join(tmpdir(), 'local-template-test-'));
  const artifacts: Record<string, object> = { 'S.assets': { type: 'cdk:asset-manifest', properties: { file: 'S.assets.json' } } };
  for (const [name, template] of Object.entries(stacks)) {
    writeFileSync(join(dir, `${name}.template.json`), JSON.stringify(template));
    artifacts[name] = { type: 'aws:cloudformation:stack', properties: { templateFile: `${name}.template.json` } };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
  writeFileSync(join(dir, 'S.assets.json'), JSON.stringify({ files: { abc123: { source: { path: 'asset.abc123', packaging: 'zip' } } } }));
  mkdirSync(join(dir, 'asset.abc123'));
  return dir;
}

const template = {
  Conditions: { IsParis: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-3'] } },
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'claims', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] } },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: { StateMachineName: 'provision', RoleArn: 'r', DefinitionString: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}' },
    },
    Fn: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Code: { S3Bucket: 'bucket', S3Key: 'abc123.zip' },
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Timeout: 30,
        Environment: {
          Variables: {
            TABLE: { Ref: 'Table' },
            TABLE_ARN: { 'Fn::GetAtt': ['Table', 'Arn'] },
            MACHINE: { Ref: 'Machine' },
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
            URL: { 'Fn::Sub': ['https://${Host}/${AWS::Region}/${Table}/${!Literal}', { Host: 'example.test' }] },
            ZONE: { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] },
            WHERE: { 'Fn::If': ['IsParis', 'paris', 'elsewhere'] },
          },
        },
      },
    },
    Secret: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: { Name: 'shepherd/token', GenerateSecretString: { SecretStringTemplate: '{"user":"a"}', GenerateStringKey: 'password' } },
    },
  },
  Outputs: { MachineArn: { Value: { Ref: 'Machine' } } },
};

describe('reading a synthesized stack', () => {
  it('resolves Ref, Fn::GetAtt, Fn::Sub, Fn::Select/Split and Fn::If to local names and ARNs', () => {
    const stack = readStack({ cdkOut: assembly({ S: template }), region: R, accountId: A });
    const [fn] = stack.functions;
    expect(fn.env).toEqual({
      TABLE: 'claims',
      TABLE_ARN: `arn:aws:dynamodb:${R}:${A}:table/claims`,
      MACHINE: `arn:aws:states:${R}:${A}:stateMachine:provision`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal Fn::Sub leaves for ${!Literal}
      URL: 'https://example.test/eu-west-3/claims/${Literal}',
      ZONE: 'b',
      WHERE: 'paris',
    });
    expect(fn).toMatchObject({ name: 'Fn', timeoutSeconds: 30, code: { kind: 'dir', dir: join(dir, 'asset.abc123') } });
    expect(stack.outputs).toEqual({ MachineArn: `arn:aws:states:${R}:${A}:stateMachine:provision` });
    const [secret] = stack.secrets;
    expect(secret.arn).toMatch(new RegExp(`^arn:aws:secretsmanager:${R}:${A}:secret:shepherd/token-[A-Za-z0-9]{6}$`));
    expect(secret.name).toBe('shepherd/token');
    expect(Object.keys(JSON.parse(secret.value))).toEqual(['user', 'password']);
  });

  it('asks which stack to run when the assembly holds several, and names a missing one', () => {
    const out = assembly({ S: template, T: template });
    expect(() => readStack({ cdkOut: out, region: R, accountId: A })).toThrow(/pick a stack: .* holds S, T/);
    expect(readStack({ cdkOut: out, stack: 'T', region: R, accountId: A }).stackName).toBe('T');
    expect(() => readStack({ cdkOut: out, stack: 'U', region: R, accountId: A })).toThrow(TemplateError);
  });

  it('refuses intrinsics it cannot resolve locally, naming the resource', () => {
    const broken = structuredClone(template) as typeof template & { Resources: Record<string, { Properties: Record<string, unknown> }> };
    (broken.Resources.Fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.IMPORTED = { 'Fn::ImportValue': 'other-stack-output' };
    expect(() => readStack({ cdkOut: assembly({ S: broken }), region: R, accountId: A })).toThrow(
      /Fn \(AWS::Lambda::Function\): intrinsic function Fn::ImportValue/,
    );
  });
});
