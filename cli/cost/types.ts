/** One priced item of a cost estimate. */
export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  /** USD per unit. */
  unitPrice: number;
  /** quantity × unitPrice, USD. */
  cost: number;
  /** Where the quantity comes from when it is not read from the template or config (a local stand-in, an assumption). */
  note?: string;
}

/** A CloudFormation template, as far as the estimate reads it. */
export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** What one local ProvisionNode execution used, as recorded by bench/provision-runs. */
export interface ExecutionUsageInput {
  pool: string;
  status: string;
  history: ReadonlyArray<{ type: string }>;
  /** Each invocation, by the function's logical id in the template. */
  invocations: ReadonlyArray<{ logicalId: string; wallMs: number }>;
  /** Calls to per-request-billed AWS services by `X-Amz-Target`. */
  awsCalls: Readonly<Record<string, { requests: number; items: number }>>;
  functionLogBytes: number;
}
