import http from 'node:http';
import https from 'node:https';
import { KubeApiError, KubeConnectionError } from './errors.js';
import type { KubeEndpoint } from './kubeconfig.js';

/** The patch content types the API server accepts (Kubernetes API concepts, "Patch operations"). */
const PATCH_CONTENT_TYPES = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
} as const;

export type PatchStrategy = keyof typeof PATCH_CONTENT_TYPES;

export type Query = Record<string, string | number | boolean | undefined>;

interface KubeList<T> {
  items?: T[];
  metadata?: { continue?: string };
}

export interface KubeClientOptions {
  /** A request that gets no byte for this long is given up (ETIMEDOUT, retryable); default 15 s. */
  idleTimeoutMs?: number;
  /** Items per list page; default 500, as kubectl asks. */
  pageSize?: number;
}

/**
 * A small Kubernetes API client over node:http(s): JSON in and out, bearer-token or client-certificate auth, the
 * kubeconfig's CA or insecure-skip-tls-verify, keep-alive connections. Paths are API paths (`/api/v1/nodes/n1`).
 * An HTTP error status becomes a `KubeApiError` (with the status), a failed connection a `KubeConnectionError`.
 */
export class KubeClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly authorization?: string;
  private readonly idleTimeoutMs: number;
  private readonly pageSize: number;

  constructor(endpoint: KubeEndpoint, options: KubeClientOptions = {}) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 15_000;
    this.pageSize = options.pageSize ?? 500;
    this.base = new URL(endpoint.server);
    this.authorization = endpoint.token ? `Bearer ${endpoint.token}` : undefined;
    if (this.base.protocol === 'https:') {
      this.transport = https;
      this.agent = new https.Agent({
        keepAlive: true,
        ca: endpoint.insecureSkipTlsVerify ? undefined : endpoint.ca,
        cert: endpoint.cert,
        key: endpoint.key,
        rejectUnauthorized: !endpoint.insecureSkipTlsVerify,
        servername: endpoint.tlsServerName,
      });
    } else {
      this.transport = http;
      this.agent = new http.Agent({ keepAlive: true });
    }
  }

  /**
   * Every item of a list, page by page (`limit` and `continue`). When a continue token has expired (410), the list
   * starts over in one unpaged request, as client-go's pager does.
   */
  async list<T>(path: string, query: Query = {}): Promise<T[]> {
    let items: T[] = [];
    for await (const page of this.pages<T>(path, query)) {
      if (page.restarted) items = [];
      items.push(...page.items);
    }
    return items;
  }

  /**
   * A list one page at a time, for callers that keep only a summary of each page. When a continue token has expired
   * (410), the list starts over in one unpaged request, as client-go's pager does: that page comes with `restarted`
   * set, and the caller forgets the pages before it.
   */
  async *pages<T>(path: string, query: Query = {}): AsyncGenerator<{ items: T[]; restarted: boolean }> {
    let next: string | undefined;
    do {
      let page: KubeList<T>;
      try {
        page = await this.request<KubeList<T>>('GET', path, { query: { ...query, limit: this.pageSize, continue: next } });
      } catch (err) {
        if (next === undefined || !(err instanceof KubeApiError) || err.status !== 410) throw err;
        yield { items: (await this.request<KubeList<T>>('GET', path, { query })).items ?? [], restarted: true };
        return;
      }
      yield { items: page.items ?? [], restarted: false };
      next = page.metadata?.continue || undefined;
    } while (next);
  }

  /** The object, or undefined when there is none (404). */
  async get<T>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  create<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  patch<T>(path: string, body: unknown, strategy: PatchStrategy): Promise<T> {
    return this.request<T>('PATCH', path, { body, contentType: PATCH_CONTENT_TYPES[strategy] });
  }

  /** Deletes the object; one already gone (404) is not an error. Returns whether it existed. */
  async delete(path: string): Promise<boolean> {
    try {
      await this.request('DELETE', path);
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return false;
      throw err;
    }
  }

  request<T>(method: string, path: string, options: { query?: Query; body?: unknown; contentType?: string } = {}): Promise<T> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;
    if (payload !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const what = `Kubernetes API ${method} ${path}`;
    return new Promise<T>((resolve, reject) => {
      const connectionFailed = (err: NodeJS.ErrnoException) => {
        const code = err.code ?? 'ECONNRESET';
        reject(new KubeConnectionError(code, `${what}: connection failed (${code}): ${err.message}`));
      };
      const req = this.transport.request(url, { method, headers, agent: this.agent, timeout: this.idleTimeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        // A response cut off mid-body ends in 'error' (ECONNRESET, "aborted"), not 'end'.
        res.on('error', connectionFailed);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            try {
              resolve((text === '' ? undefined : JSON.parse(text)) as T);
            } catch {
              reject(new KubeApiError(status, undefined, `${what}: ${status} with a body that is not JSON`));
            }
            return;
          }
          reject(apiError(status, text, what));
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${this.idleTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', connectionFailed);
      req.end(payload);
    });
  }
}

/** An error status, with the reason and message of the API server's Status object when it sent one. */
function apiError(status: number, text: string, what: string): KubeApiError {
  let reason: string | undefined;
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { kind?: string; reason?: string; message?: string };
    if (body?.kind === 'Status') {
      reason = body.reason;
      message = String(body.message ?? '').slice(0, 300);
    }
  } catch {
    // Not JSON (a proxy's error page): its first characters say enough.
  }
  return new KubeApiError(status, reason, `${what}: ${status}${reason ? ` ${reason}` : ''}: ${message}`);
}
