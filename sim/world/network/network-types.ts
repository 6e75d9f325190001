import type { Vm } from '../types.js';

/** A port a node serves because a Running pod on it asks for it (`hostPort`). */
export interface NodeListener {
  port: number;
  /** The container port's name (e.g. `https`): a name or port 443 that says TLS makes the responder speak TLS. */
  name?: string;
  tls: boolean;
  /** `namespace/name` of the pod serving it. */
  pod: string;
  /** The pod is Ready: its health endpoint answers 200 (unless a flapping fault says otherwise). */
  ready: boolean;
}

/**
 * What a TCP connection from the internet (a probe from AWS) to an address and port meets:
 * - `accepted`: a running, reachable VM with a listener on the port;
 * - `refused`: a running, reachable VM with nothing on the port (the kernel answers RST);
 * - `black-hole`: nothing answers at all (power off, VM stopped or deleted, partition, unknown address): the SYN is
 *   dropped, so the client waits for its own connect timeout.
 */
export type NetworkRoute =
  | { kind: 'accepted'; vm: Vm; nodeName: string; listener: NodeListener }
  | { kind: 'refused'; vm: Vm; why: string }
  | { kind: 'black-hole'; vm?: Vm; why: string };
