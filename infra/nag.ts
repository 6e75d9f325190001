import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A resolved CloudFormation value spelt the way cdk-nag names it in a finding id (its utils/flatten-cfn-reference):
 * Fn::Join joined, `Ref: X` as `<X>`, `Fn::GetAtt: [X, A]` as `<X.A>`, `${...}` in Fn::Sub as `<...>`.
 */
function nagSpelling(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const v = (value ?? {}) as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) {
    const [delimiter, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(nagSpelling).join(delimiter);
  }
  if ('Fn::Sub' in v) return nagSpelling(v['Fn::Sub']);
  if (Array.isArray(v['Fn::GetAtt'])) return `<${nagSpelling(v['Fn::GetAtt'][0])}.${nagSpelling(v['Fn::GetAtt'][1])}>`;
  if ('Fn::ImportValue' in v) return nagSpelling(v['Fn::ImportValue']);
  if ('Ref' in v) return `<${nagSpelling(v.Ref)}>`;
  return JSON.stringify(value);
}

/** The cdk-nag 3 id of the AwsSolutions-IAM5 finding a wildcard `resource` (possibly holding tokens) raises. */
export function wildcardResourceRuleId(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${nagSpelling(Stack.of(scope).resolve(resource))}]`;
}

/**
 * Acknowledges, on `scope` and everything below it, the IAM5 finding of each wildcard resource with its reasons
 * (a resource granted by several statements gets all of them).
 * cdk-nag 3 has no prefix matching: every finding is acknowledged by its exact id, so a wildcard added later
 * without its own reason still fails synthesis.
 */
export function acknowledgeWildcardResources(scope: IConstruct, reasons: Iterable<readonly [resource: string, reason: string]>): void {
  const byRule = new Map<string, string[]>();
  for (const [resource, reason] of reasons) {
    const id = wildcardResourceRuleId(scope, resource);
    byRule.set(id, [...(byRule.get(id) ?? []), reason]);
  }
  for (const [id, list] of byRule) Validations.of(scope).acknowledge({ id, reason: [...new Set(list)].join(' ') });
}
