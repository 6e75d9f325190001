import type { ClearAnswer, ErrorAnswer, FaultRequest, InjectAnswer, ListAnswer } from '../../local/chaos/types.js';
import { CommandError } from '../errors.js';
import type { LocalEndpoints } from '../local-endpoints.js';

/** Calls the chaos endpoint `shepherd local` serves, with the token from its endpoints file. */
export class ChaosClient {
  private constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  /** The client for a running local control plane; CommandError when its endpoints file names no chaos endpoint. */
  static of(endpoints: LocalEndpoints, path: string): ChaosClient {
    if (!endpoints.endpoints.chaos || !endpoints.chaosToken) {
      throw new CommandError(`the local control plane that wrote ${path} serves no chaos endpoint; restart it with \`shepherd local\``);
    }
    return new ChaosClient(endpoints.endpoints.chaos, endpoints.chaosToken);
  }

  inject(request: FaultRequest): Promise<InjectAnswer> {
    return this.call('POST', request);
  }

  list(): Promise<ListAnswer> {
    return this.call('GET');
  }

  clear(): Promise<ClearAnswer> {
    return this.call('DELETE');
  }

  private async call<T>(method: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/faults`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code ?? (err as Error).message;
      throw new CommandError(`the chaos endpoint ${this.url} does not answer (${code}); is \`shepherd local\` still running?`);
    }
    const answer = (await res.json().catch(() => undefined)) as (T & Partial<ErrorAnswer>) | undefined;
    if (!res.ok || !answer) throw new CommandError(answer?.error?.message ?? `the chaos endpoint answered HTTP ${res.status}`);
    return answer;
  }
}
