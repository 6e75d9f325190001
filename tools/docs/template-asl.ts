import type { AslDefinition } from './asl-types.js';

/** The parts of a synthesized CloudFormation template the diagrams read. */
export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export interface StateMachineDefinition {
  /** StateMachineName when the template fixes it, else the construct's name (logical id without hash and suffix). */
  name: string;
  definition: AslDefinition;
}

/** Thrown when a definition uses an intrinsic function the reader does not resolve. */
export class DefinitionReadError extends Error {
  override name = 'DefinitionReadError';
}

/**
 * Every state machine of the template with its ASL, sorted by name. References inside a definition are resolved to
 * readable stand-ins: a Lambda function becomes `arn:aws:lambda:<region>:<account>:function:<name>`, any other
 * resource its name; pseudo parameters become `<region>`-style placeholders. Only the shape of the definition matters.
 */
export function stateMachineDefinitions(template: CfnTemplate): StateMachineDefinition[] {
  const resources = template.Resources ?? {};
  const displayName = (id: string): string => {
    const name = resources[id]?.Properties?.FunctionName ?? resources[id]?.Properties?.StateMachineName;
    return typeof name === 'string' ? name : constructName(id);
  };
  const reference = (id: string): string => {
    if (id.startsWith('AWS::')) return `<${id.slice('AWS::'.length)}>`;
    return resources[id]?.Type === 'AWS::Lambda::Function' ? `arn:aws:lambda:<Region>:<AccountId>:function:${displayName(id)}` : displayName(id);
  };
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const v = value as Record<string, unknown>;
    if (Array.isArray(v?.['Fn::Join'])) {
      const [delimiter, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(delimiter);
    }
    if (typeof v?.Ref === 'string') return reference(v.Ref);
    if (Array.isArray(v?.['Fn::GetAtt'])) return reference(String((v['Fn::GetAtt'] as unknown[])[0]));
    throw new DefinitionReadError(`cannot read ${JSON.stringify(value).slice(0, 200)} in a state machine definition`);
  };
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([id, r]) => {
      const p = r.Properties ?? {};
      let text = p.Definition !== undefined ? JSON.stringify(p.Definition) : resolve(p.DefinitionString);
      const substitutions = (p.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
      text = text.replace(/\$\{([^}]+)\}/g, (whole, key: string) => (key in substitutions ? resolve(substitutions[key]) : whole));
      const name = typeof p.StateMachineName === 'string' ? p.StateMachineName : constructName(id).replace(/StateMachine$/, '');
      return { name, definition: JSON.parse(text) as AslDefinition };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `ProvisionNodeStateMachineBA922272` -> `ProvisionNodeStateMachine`; `CloudVmsFunctionB23B3860` -> `CloudVms`. */
function constructName(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '').replace(/Function$/, '');
}
