import type { CfnTemplate } from './types.js';

export interface FunctionInfo {
  logicalId: string;
  memoryMb: number;
  architecture: 'arm64' | 'x86_64';
  /** The function's own log group retention (days), when the template sets it. */
  logRetentionDays?: number;
}

export interface StateMachineInfo {
  logicalId: string;
  type: 'STANDARD' | 'EXPRESS';
  tracing: boolean;
  /** States in the definition (nested ones included), when the definition is readable. */
  states?: number;
  logRetentionDays?: number;
}

export interface ScheduleInfo {
  logicalId: string;
  /** EventBridge rules deliver scheduled events for free; EventBridge Scheduler bills each invocation. */
  service: 'events-rule' | 'scheduler';
  expression: string;
  /** Runs a month, when the expression is a rate(); undefined for cron expressions. */
  runsPerMonth?: number;
  /** Logical ids of the targets in this template. */
  targets: string[];
}

/** What the template holds that is priced: idle or per use. */
export interface StackInventory {
  alarms: number;
  compositeAlarms: number;
  /** Secrets the stack creates itself. */
  secretsManagerSecrets: number;
  ssmParameters: { standard: number; advanced: number };
  kmsKeys: number;
  tables: Array<{ logicalId: string; onDemand: boolean; pitr: boolean }>;
  functions: FunctionInfo[];
  stateMachines: StateMachineInfo[];
  schedules: ScheduleInfo[];
}

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** Reads the priced resources out of a synthesized template. */
export function stackInventory(template: CfnTemplate): StackInventory {
  const resources = Object.entries(template.Resources ?? {});
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const retention = logRetentions(resources);
  return {
    alarms: ofType('AWS::CloudWatch::Alarm').length,
    compositeAlarms: ofType('AWS::CloudWatch::CompositeAlarm').length,
    secretsManagerSecrets: ofType('AWS::SecretsManager::Secret').length,
    ssmParameters: {
      standard: ofType('AWS::SSM::Parameter').filter(([, r]) => r.Properties?.Tier !== 'Advanced').length,
      advanced: ofType('AWS::SSM::Parameter').filter(([, r]) => r.Properties?.Tier === 'Advanced').length,
    },
    kmsKeys: ofType('AWS::KMS::Key').length,
    tables: ofType('AWS::DynamoDB::Table').map(([logicalId, r]) => ({
      logicalId,
      onDemand: r.Properties?.BillingMode === 'PAY_PER_REQUEST',
      pitr: (r.Properties?.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined)?.PointInTimeRecoveryEnabled === true,
    })),
    functions: ofType('AWS::Lambda::Function').map(([logicalId, r]) => ({
      logicalId,
      memoryMb: Number(r.Properties?.MemorySize ?? 128),
      architecture: (r.Properties?.Architectures as string[] | undefined)?.[0] === 'arm64' ? 'arm64' : 'x86_64',
      logRetentionDays: retention(r.Properties?.LoggingConfig as Record<string, unknown> | undefined, 'LogGroup'),
    })),
    stateMachines: ofType('AWS::StepFunctions::StateMachine').map(([logicalId, r]) => {
      const logs = r.Properties?.LoggingConfiguration as { Destinations?: Array<{ CloudWatchLogsLogGroup?: Record<string, unknown> }> } | undefined;
      return {
        logicalId,
        type: r.Properties?.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
        tracing: (r.Properties?.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled === true,
        states: countStates(r.Properties?.DefinitionString),
        logRetentionDays: retention(logs?.Destinations?.[0]?.CloudWatchLogsLogGroup, 'LogGroupArn'),
      };
    }),
    schedules: schedules(resources),
  };
}

/** A log group reference (`{ Ref }` or `{ Fn::GetAtt: [id, 'Arn'] }`) -> that group's RetentionInDays. */
function logRetentions(resources: Array<[string, Resource]>) {
  const days = new Map(
    resources.filter(([, r]) => r.Type === 'AWS::Logs::LogGroup').map(([id, r]) => [id, r.Properties?.RetentionInDays as number | undefined] as const),
  );
  return (holder: Record<string, unknown> | undefined, key: string): number | undefined => {
    const ref = holder?.[key] as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
    const id = ref?.Ref ?? ref?.['Fn::GetAtt']?.[0];
    return id ? days.get(id) : undefined;
  };
}

function schedules(resources: Array<[string, Resource]>): ScheduleInfo[] {
  const targetIds = (targets: unknown): string[] =>
    (Array.isArray(targets) ? targets : [targets]).flatMap((t) => {
      const arn = (t as { Arn?: { Ref?: string; 'Fn::GetAtt'?: [string] } } | undefined)?.Arn;
      const id = arn?.Ref ?? arn?.['Fn::GetAtt']?.[0];
      return id ? [id] : [];
    });
  return resources.flatMap(([logicalId, r]): ScheduleInfo[] => {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::Events::Rule' && typeof p.ScheduleExpression === 'string' && p.State !== 'DISABLED') {
      return [
        {
          logicalId,
          service: 'events-rule',
          expression: p.ScheduleExpression,
          runsPerMonth: runsPerMonth(p.ScheduleExpression),
          targets: targetIds(p.Targets),
        },
      ];
    }
    if (r.Type === 'AWS::Scheduler::Schedule' && typeof p.ScheduleExpression === 'string' && p.State !== 'DISABLED') {
      return [
        { logicalId, service: 'scheduler', expression: p.ScheduleExpression, runsPerMonth: runsPerMonth(p.ScheduleExpression), targets: targetIds(p.Target) },
      ];
    }
    return [];
  });
}

const MINUTES_PER_MONTH = 730 * 60;
const UNIT_MINUTES: Record<string, number> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };

/** Runs a month of `rate(N unit)`; undefined for cron() and at() expressions. */
export function runsPerMonth(expression: string): number | undefined {
  const m = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  return m ? MINUTES_PER_MONTH / (Number(m[1]) * UNIT_MINUTES[m[2]]) : undefined;
}

/** States in an ASL definition, nested Map/Parallel states included; CDK writes it as a string or an Fn::Join of parts (references sit inside JSON strings). */
function countStates(definition: unknown): number | undefined {
  let text: string | undefined;
  if (typeof definition === 'string') text = definition;
  else {
    const parts = (definition as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join']?.[1];
    if (parts) text = parts.map((p) => (typeof p === 'string' ? p : 'x')).join('');
  }
  if (!text) return undefined;
  try {
    const count = (states: Record<string, { Iterator?: { States: object }; ItemProcessor?: { States: object }; Branches?: Array<{ States: object }> }>) => {
      let n = 0;
      for (const s of Object.values(states)) {
        n++;
        const nested = [s.Iterator, s.ItemProcessor, ...(s.Branches ?? [])].filter((x) => x !== undefined);
        for (const x of nested) n += count(x.States as Parameters<typeof count>[0]);
      }
      return n;
    };
    return count((JSON.parse(text) as { States: Parameters<typeof count>[0] }).States);
  } catch {
    return undefined;
  }
}
