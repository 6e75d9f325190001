import type { SimEnv } from '../../env.js';
import type { Random } from '../../random.js';
import type { Ec2Controls } from './controls.js';
import type { QueryParams } from './query.js';
import type { XmlObject } from './xml.js';

/** What a RunInstances call with a ClientToken left behind, so a retry gets the same reservation. */
export interface ClientTokenRecord {
  /** The request's parameters but the token: a retry must match them exactly. */
  fingerprint: string;
  reservationId: string;
  instanceIds: string[];
}

/** State the EC2 server keeps beside the world's VMs. */
export interface Ec2ServerState {
  /** Keyed by `region/token`: tokens are scoped to a region, as EC2's are. */
  clientTokens: Map<string, ClientTokenRecord>;
  /** Ids the API mints (reservations, spot requests, request ids): their own stream, not the world's. */
  ids: Random;
  controls: Ec2Controls;
}

/** One call: the environment, the region the caller signed for and the call's request id. */
export interface Ec2Context {
  env: SimEnv;
  state: Ec2ServerState;
  region: string;
  requestId: string;
}

/** An action returns the children of its `<{Action}Response>` element (requestId is added). */
export type Ec2Action = (ctx: Ec2Context, params: QueryParams) => XmlObject;

/**
 * EC2's view of a VM, kept in `vm.extra.ec2`. VMs the world launched without the API (none
 * today, but the world allows it) get defaults from their zone and architecture.
 */
export interface Ec2InstanceData {
  reservationId: string;
  imageId: string;
  subnetId: string;
  securityGroupIds: string[];
  launchIndex: number;
  clientToken?: string;
  spotInstanceRequestId?: string;
  /** StateTransitionReason, e.g. `User initiated (2026-01-01 00:00:00 GMT)`. */
  transitionReason?: string;
  stateReason?: { code: string; message: string };
  /** Simulated time from which other calls see the instance (EC2's eventual consistency; consistency.ts). */
  visibleAt?: number;
  /** The IAM instance profile it was launched with. */
  iamInstanceProfileArn?: string;
  metadataOptions?: Ec2MetadataOptions;
}

/** RunInstances' MetadataOptions as EC2 applies them (defaults filled in), reported by DescribeInstances. */
export interface Ec2MetadataOptions {
  httpTokens: 'optional' | 'required';
  httpPutResponseHopLimit: number;
  httpEndpoint: 'enabled' | 'disabled';
  httpProtocolIpv6: 'enabled' | 'disabled';
  instanceMetadataTags: 'enabled' | 'disabled';
}
