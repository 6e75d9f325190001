import type { Clock } from './clock.js';
import type { ApiFaults, ServerSpec } from './http.js';
import type { Random } from './random.js';
import type { TlsMaterial } from './tls.js';
import type { World } from './world/world.js';

export type ServerName = 'kube' | 'ec2' | 'gce' | 'scaleway' | 'cloudflare';
export const SERVER_NAMES: readonly ServerName[] = ['kube', 'ec2', 'gce', 'scaleway', 'cloudflare'];

/** Credentials the simulated APIs accept; anything else gets each API's own auth error. */
export interface SimCredentials {
  kube: { token: string };
  aws: { accessKeyId: string; secretAccessKey: string; accountId: string; region: string };
  gcp: { project: string; accessToken: string };
  scaleway: { accessKey: string; secretKey: string; organizationId: string; projectId: string; region: string };
  cloudflare: { apiToken: string; accountId: string };
}

/** An EventBridge event as AWS delivers it. */
export interface AwsEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Where the simulated AWS services publish the EventBridge events AWS would emit. */
export class AwsEventFeed {
  readonly history: AwsEvent[] = [];
  private readonly subscribers = new Set<(e: AwsEvent) => void>();

  subscribe(fn: (e: AwsEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  publish(event: AwsEvent): void {
    this.history.push(event);
    for (const fn of this.subscribers) fn(event);
  }
}

/** What each simulated server is built from. */
export interface SimEnv {
  world: World;
  clock: Clock;
  random: Random;
  credentials: SimCredentials;
  awsEvents: AwsEventFeed;
  tls: TlsMaterial;
  /** Servers may install their API's standing limits here (e.g. Cloudflare's 1,200 calls / 5 min). */
  faults: ApiFaults;
}

export type ServerFactory = (env: SimEnv) => ServerSpec;
