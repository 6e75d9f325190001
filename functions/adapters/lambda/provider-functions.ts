import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import type { VmRef } from '../../decisions/provision.js';
import type { Preemption } from '../../decisions/watcher/types.js';
import type { Interruption, Page, VmState } from '../../providers/types.js';

/** A provider function failed or could not be invoked; `errorType` is the function's error name, if it threw. */
export class ProviderFunctionError extends Error {
  override name = 'ProviderFunctionError';
  constructor(
    message: string,
    readonly errorType?: string,
  ) {
    super(message);
  }
}

export function isProviderFunctionError(err: unknown): err is ProviderFunctionError {
  return err instanceof ProviderFunctionError;
}

/** At most this many pages of one provider's list in a pass (a provider that kept handing out tokens would loop). */
const MAX_PAGES = 200;

/**
 * The provider functions as the watcher and the heal triggers ask them: `listOwned` page by page, `interruptions`,
 * `describe` and `terminate`, by synchronous
 * Lambda invocation (functions/providers/handler.ts). The cloud SDKs stay in their own functions: the watcher's
 * bundle carries none of them (the GCE client alone is 30 MB and 1.5 s of import).
 */
export class ProviderFunctions {
  constructor(
    /** Provider name -> its function's name or ARN. */
    private readonly functions: Readonly<Record<string, string>>,
    private readonly client: LambdaClient = new LambdaClient({}),
  ) {}

  providers(): string[] {
    return Object.keys(this.functions).sort();
  }

  /** Every live VM the provider says this cluster owns. */
  async listOwned(provider: string): Promise<VmRef[]> {
    const vms: VmRef[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.invoke<Page<VmRef>>(provider, { action: 'listOwned', ...(pageToken ? { pageToken } : {}) });
      vms.push(...(out.items ?? []));
      pageToken = out.next;
      if (!pageToken) return vms;
    }
    throw new ProviderFunctionError(`provider ${provider}: listOwned still had more after ${MAX_PAGES} pages`);
  }

  /** The preemptions the provider reports (its other interruption kinds come as cloud events). */
  async preemptions(provider: string): Promise<Preemption[]> {
    const out = await this.invoke<{ interruptions: Interruption[] }>(provider, { action: 'interruptions' });
    return (out.interruptions ?? []).filter((i) => i.kind === 'preempted').map((i) => ({ vmId: i.vmId, noticeId: i.noticeId, ...(i.at ? { at: i.at } : {}) }));
  }

  /** What the provider says of one VM now (`running`, `stopping`, `gone`, `unknown`); `pool` is the pool it was launched for. */
  async describe(provider: string, pool: string, vm: VmRef): Promise<VmState> {
    const out = await this.invoke<{ state?: VmState }>(provider, { action: 'describe', pool, vm });
    return out.state ?? 'unknown';
  }

  /** Terminates one VM for good (an orphan: a Scaleway pool shrinks by it); a VM already gone is not an error. */
  async terminate(provider: string, vm: VmRef): Promise<string[]> {
    const out = await this.invoke<{ terminated?: string[] }>(provider, { action: 'terminate', vm });
    return out.terminated ?? [];
  }

  private async invoke<T>(provider: string, event: Record<string, unknown>): Promise<T> {
    const fn = this.functions[provider];
    if (!fn) throw new ProviderFunctionError(`no function for provider ${provider} in this stack`);
    let out: InvokeCommandOutput;
    try {
      out = await this.client.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(event)) }));
    } catch (err) {
      throw new ProviderFunctionError(`provider ${provider}: invoking ${event.action} failed: ${(err as Error).name}: ${(err as Error).message}`);
    }
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    if (out.FunctionError) {
      let body: { errorType?: string; errorMessage?: string } = {};
      try {
        body = JSON.parse(text);
      } catch {
        // A payload that is not JSON says nothing more than FunctionError.
      }
      throw new ProviderFunctionError(
        `provider ${provider}: ${event.action} failed: ${body.errorType ?? out.FunctionError}: ${body.errorMessage ?? ''}`.trim(),
        body.errorType,
      );
    }
    return (text ? JSON.parse(text) : {}) as T;
  }
}
