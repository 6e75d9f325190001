import type { InstancesClient } from '@google-cloud/compute';
import { type gaxios, OAuth2Client } from 'google-auth-library';

/**
 * Options for the official @google-cloud/compute clients (InstancesClient, ZoneOperationsClient)
 * against any compute v1 endpoint with a fixed OAuth access token. What google-gax 5.0.8 (with
 * google-auth-library 10 / gaxios 7) needs, checked against its source:
 *
 * - `fallback: true` (HTTP/1.1 REST) with `apiEndpoint` = host, `port`, `protocol`: gax builds
 *   `${protocol}://${apiEndpoint}:${port}/compute/v1/...`.
 * - `authClient`: gax calls its `fetch()`, which adds `Authorization: Bearer <token>`.
 * - By default gaxios throws on any non-2xx status before gax sees the body, so callers get a
 *   GaxiosError whose `code` is the HTTP status and whose `message` is the raw JSON, and gax's
 *   retries (keyed on gRPC codes) never fire. Letting every status through the transport hands
 *   the body to gax, which turns Google's error JSON into a GoogleError with a gRPC `code`
 *   (404 -> 5 NOT_FOUND, 503 -> 14 UNAVAILABLE, 429 -> 8 RESOURCE_EXHAUSTED) and `message`.
 * - gax's own timeouts never abort a REST request (the deadline it computes is not passed to
 *   fetch), so a call to a server that never answers would hang: each request gets a transport
 *   timeout here. zoneOperations.wait may legitimately take up to 2 minutes.
 * - gax retries idempotent calls (get, list) on UNAVAILABLE until the method's `timeout_millis`
 *   (600 s by default) runs out; `retryBudgetMs` bounds that.
 */
export interface GceCallLimits {
  /** Per HTTP request, except zoneOperations.wait. */
  requestTimeoutMs: number;
  /** Per zoneOperations.wait request (GCE answers within about 2 minutes). */
  waitTimeoutMs: number;
  /** Total time gax spends retrying one idempotent call. */
  retryBudgetMs: number;
}

export const DEFAULT_GCE_CALL_LIMITS: GceCallLimits = { requestTimeoutMs: 30_000, waitTimeoutMs: 150_000, retryBudgetMs: 30_000 };

export type GceClientOptions = NonNullable<ConstructorParameters<typeof InstancesClient>[0]>;

/** `endpoint` is a base URL such as `http://127.0.0.1:4567` or `https://compute.googleapis.com`. */
export function gceClientOptions(endpoint: string, accessToken: string, limits: Partial<GceCallLimits> = {}): GceClientOptions {
  const url = new URL(endpoint);
  const protocol = url.protocol.replace(/:$/, '');
  const all = { ...DEFAULT_GCE_CALL_LIMITS, ...limits };
  return {
    fallback: true,
    apiEndpoint: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'https' ? 443 : 80,
    protocol,
    authClient: new FixedTokenClient(accessToken, all),
    clientConfig: retryBudget(all.retryBudgetMs),
  };
}

/** An OAuth client holding one access token, never refreshed; see the notes above for the rest. */
class FixedTokenClient extends OAuth2Client {
  constructor(
    accessToken: string,
    private readonly limits: GceCallLimits,
  ) {
    super({ transporterOptions: { validateStatus: () => true } });
    this.setCredentials({ access_token: accessToken });
  }

  override fetch<T>(...args: Parameters<gaxios.Gaxios['fetch']>): gaxios.GaxiosPromise<T> {
    const [input, init] = args;
    const timeout = /\/operations\/[^/?]+\/wait(?:\?|$)/.test(String(input)) ? this.limits.waitTimeoutMs : this.limits.requestTimeoutMs;
    // gax calls fetch(url, init); the one-object form carries the same options plus the timeout.
    return super.fetch<T>({ ...(init as gaxios.GaxiosOptions), url: String(input), timeout });
  }
}

/** Method overrides for the idempotent (retried) methods of both services. */
function retryBudget(ms: number): GceClientOptions['clientConfig'] {
  const methods = (names: string[]) => Object.fromEntries(names.map((n) => [n, { timeout_millis: ms }]));
  return {
    interfaces: {
      'google.cloud.compute.v1.Instances': { methods: methods(['Get', 'List', 'AggregatedList']) },
      'google.cloud.compute.v1.ZoneOperations': { methods: methods(['Get', 'List']) },
    },
  };
}
