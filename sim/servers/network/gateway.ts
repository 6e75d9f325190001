import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import type { Random } from '../../random.js';
import type { World } from '../../world/world.js';

/** The gateway's name in Proxy-Status headers (RFC 9209). */
const PROXY_NAME = 'shepherd-sim';

/**
 * How often a SYN is lost on the way (tcp-syn-loss): the client's kernel sends it again after its initial
 * retransmission timeout, 1 s (RFC 6298 section 2.1; Linux TCP_TIMEOUT_INIT), so that connect takes a second longer.
 */
export const SYN_LOSS_CHANCE = 0.01;
export const SYN_RETRANSMIT_MS = 1000;

export interface NetworkGatewayOptions {
  world: World;
  /** Its own stream from the world's seed, so that probes (timed in real ms) do not shift the world's randomness. */
  random: Random;
  tls: { key: string; cert: string };
}

export interface NetworkGateway {
  /** `http://127.0.0.1:<port>`: an HTTP CONNECT proxy into the simulated public network. */
  url: string;
  close(): Promise<void>;
}

/** `host:port` or `[v6]:port` of a CONNECT request target (RFC 9110 section 9.3.6, authority form). */
export function parseAuthority(target: string): { address: string; port: number } | undefined {
  const m = target.match(/^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/);
  const port = Number(m?.[3]);
  if (!m || !(port >= 1 && port <= 65535)) return undefined;
  return { address: m[1] ?? m[2], port };
}

/**
 * The simulated internet as seen from AWS, served as an HTTP CONNECT proxy on loopback: `CONNECT 203.0.113.5:443`
 * meets what the world says (world.network.route): accepted (200, then the node's web server on the tunnel, TLS on
 * TLS ports), refused (502 with `Proxy-Status: ...; error=connection_refused`, as a kernel's RST) or black-holed (no
 * answer ever: the client's connect timeout decides). The probe adapter dials through it when SHEPHERD_PROBE_PROXY
 * names it; everything after the dial is the same as against a real address.
 */
export async function startNetworkGateway({ world, random, tls }: NetworkGatewayOptions): Promise<NetworkGateway> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const secureContext = createSecureContext({ key: tls.key, cert: tls.cert });
  const tunnels = new WeakMap<Socket, { address: string; port: number }>();

  // The nodes' web servers: one in-process HTTP server that each accepted tunnel is handed to.
  const web = createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = tunnels.get(req.socket);
    const route = target ? world.network.route(target.address, target.port) : undefined;
    // The node went away under an open connection: nothing answers any more (black hole) or the port closed (RST).
    if (!route || route.kind === 'black-hole') return;
    if (route.kind === 'refused') {
      req.socket.destroy();
      return;
    }
    const status = world.network.healthStatus(route);
    res.writeHead(status, { 'content-type': 'text/plain', server: 'sim-web' }).end(status === 200 ? 'ok\n' : 'unhealthy\n');
  });

  const gateway = createServer((_req, res) => {
    res.writeHead(405, { allow: 'CONNECT' }).end('the simulated network takes CONNECT only\n');
  });
  gateway.on('connection', track);
  gateway.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = parseAuthority(req.url ?? '');
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const decide = () => {
      if (client.destroyed) return;
      const route = world.network.route(target.address, target.port);
      if (route.kind === 'black-hole') return; // The SYN is dropped: no answer, no RST.
      if (route.kind === 'refused') {
        client.end(`HTTP/1.1 502 Bad Gateway\r\nProxy-Status: ${PROXY_NAME}; error=connection_refused\r\n\r\n`);
        return;
      }
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) client.unshift(head);
      const stream = route.listener.tls ? new TLSSocket(client, { isServer: true, secureContext }) : client;
      if (stream !== client) track(stream);
      tunnels.set(stream, target);
      web.emit('connection', stream);
    };
    if (world.unkindness.has('tcp-syn-loss') && random.chance(SYN_LOSS_CHANCE)) setTimeout(decide, SYN_RETRANSMIT_MS).unref();
    else decide();
  });

  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const { port } = gateway.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
    },
  };
}
