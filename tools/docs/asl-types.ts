/** The parts of an Amazon States Language definition the diagrams draw (JSONPath states only). */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  Comment?: string;
}

export interface AslCatcher {
  ErrorEquals: string[];
  Next: string;
}

export interface AslState {
  Type: 'Task' | 'Choice' | 'Map' | 'Parallel' | 'Wait' | 'Pass' | 'Fail' | 'Succeed' | string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Catch?: AslCatcher[];
  Choices?: ChoiceRule[];
  Default?: string;
  ItemProcessor?: AslDefinition;
  Iterator?: AslDefinition;
  Branches?: AslDefinition[];
  ItemsPath?: string;
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  Error?: string;
  ErrorPath?: string;
}

/** A Choice rule: a comparison on Variable, or And/Or/Not of rules; only top-level rules have Next. */
export interface ChoiceRule {
  Variable?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  Next?: string;
  [comparison: string]: unknown;
}
