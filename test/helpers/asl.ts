import { IntrinsicResolver } from '../../local/cloudformation/intrinsics.js';

/** The parts of a synthesized CloudFormation template the ASL reader looks at. */
export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** An Amazon States Language state, loosely typed: tests read the fields they check. */
export interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Retry?: { ErrorEquals: string[]; IntervalSeconds?: number; BackoffRate?: number; MaxAttempts?: number; JitterStrategy?: string }[];
  Parameters?: Record<string, unknown>;
  ItemProcessor?: AslDefinition;
  Iterator?: AslDefinition;
  Branches?: AslDefinition[];
  [field: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

/** Placeholder account and region the rendered ARNs use. */
export const PLACEHOLDER_ACCOUNT = '123456789012';
export const PLACEHOLDER_REGION = 'us-east-1';

/**
 * The ASL of the state machine `logicalId` (or the template's only one). Its DefinitionString is an Fn::Join
 * around references (resolved with the local control plane's resolver); they become placeholder ARNs: a Lambda function `X` is
 * `arn:aws:lambda:us-east-1:123456789012:function:X`, anything else `arn:aws:cloudformation:::X/<attribute>`.
 */
export function stateMachineAsl(template: CfnTemplate, logicalId?: string): AslDefinition {
  const resources = template.Resources ?? {};
  const machines = Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && (!logicalId || id === logicalId));
  if (machines.length !== 1) throw new Error(`expected one state machine${logicalId ? ` named ${logicalId}` : ''}, found ${machines.length}`);
  const resourceArn = (id: string, attribute: string) =>
    resources[id]?.Type === 'AWS::Lambda::Function'
      ? `arn:aws:lambda:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:function:${id}`
      : `arn:aws:cloudformation:::${id}/${attribute}`;
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': PLACEHOLDER_REGION,
    'AWS::AccountId': PLACEHOLDER_ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const resolver = new IntrinsicResolver(
    { ref: (id) => pseudo[id] ?? resourceArn(id, 'Ref'), getAtt: resourceArn, mappings: {}, conditions: {} },
    PLACEHOLDER_REGION,
  );
  return JSON.parse(resolver.resolveString(machines[0][1].Properties?.DefinitionString, 'DefinitionString')) as AslDefinition;
}

/** Every state of a definition with its name, including those inside Map item processors and Parallel branches. */
export function allStates(definition: AslDefinition): [string, AslState][] {
  return Object.entries(definition.States).flatMap(([name, state]): [string, AslState][] => {
    const nested = [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].filter((d): d is AslDefinition => d !== undefined);
    return [[name, state], ...nested.flatMap(allStates)];
  });
}

/** The logical id of the Lambda function a placeholder ARN (from stateMachineAsl) names, if it names one. */
export function functionLogicalId(arn: string): string | undefined {
  return /^arn:aws:lambda:[^:]+:\d{12}:function:([A-Za-z0-9]+)$/.exec(arn)?.[1];
}
