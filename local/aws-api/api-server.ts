import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, RequestHold } from '../../sim/index.js';
import { AwsApiError } from '../errors.js';

/** One operation: the parsed JSON request body in, the response body out (or an AwsApiError thrown). */
export type JsonOperation = (request: Record<string, unknown>) => unknown;

/** A service spoken over the AWS JSON protocol, selected by the `X-Amz-Target` prefix. */
export interface JsonService {
  /** e.g. `AWSStepFunctions`, `AWSEvents`, `secretsmanager`. */
  targetPrefix: string;
  /** `1.0` or `1.1`: the AWS JSON protocol version the service speaks. */
  jsonVersion: '1.0' | '1.1';
  operations: Record<string, JsonOperation>;
}

/** A REST operation (Lambda's API is REST-JSON, not routed by X-Amz-Target): a path pattern and its handler. */
export interface RestRoute {
  method: string;
  /** Matched against the URL path; its groups are passed to `run`. */
  path: RegExp;
  /** `request` is the request's hold of the simulated clock: a route that waits on something parked on it says so there. */
  run(params: string[], body: Buffer, headers: http.IncomingHttpHeaders, request: RequestHold): Promise<RestResponse>;
}

export interface RestResponse {
  status: number;
  headers?: Record<string, string>;
  /** Sent as it is. */
  body: string;
}

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  clock: Clock;
  services: JsonService[];
  /** REST operations, tried before the X-Amz-Target services. */
  rest?: RestRoute[];
  /** Requests must be signed with this access key id (the signature itself is not checked). */
  accessKeyId: string;
}

/**
 * One loopback HTTP server for the AWS JSON 1.0/1.1 services, routed by `X-Amz-Target:
 * <prefix>.<Operation>`. Errors are `{ "__type", "message" }` plus `x-amzn-ErrorType`, which the AWS
 * SDK v3 turns into the exception class of that name. Virtual time stands still while a request is served.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const services = new Map(options.services.map((s) => [s.targetPrefix, s]));
  const server = http.createServer((req, res) => {
    const hold = new RequestHold(options.clock);
    res.once('close', () => hold.end());
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const route = options.rest?.find((r) => r.method === req.method && r.path.test(path));
      if (route) {
        serveRest(res, route, path, Buffer.concat(chunks), req.headers, options.accessKeyId, hold);
        return;
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const dot = target.indexOf('.');
      const service = services.get(target.slice(0, dot));
      const contentType = `application/x-amz-json-${service?.jsonVersion ?? '1.1'}`;
      try {
        if (!service) throw new AwsApiError('UnknownOperationException', `Unknown target ${target}`);
        checkCredentials(req.headers.authorization, options.accessKeyId);
        const operation = service.operations[target.slice(dot + 1)];
        if (!operation) throw new AwsApiError('UnknownOperationException', `Unknown operation ${target}`);
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
        send(res, 200, contentType, operation(body ?? {}));
      } catch (err) {
        const e =
          err instanceof AwsApiError
            ? err
            : err instanceof SyntaxError
              ? new AwsApiError('SerializationException', 'Malformed JSON request body')
              : new AwsApiError('InternalFailure', `internal error: ${(err as Error).message}`, 500);
        send(res, e.status, contentType, { __type: e.code, message: e.message }, { 'x-amzn-errortype': e.code });
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A REST operation's answer, or its error as REST-JSON services send one (x-amzn-ErrorType and a JSON message). */
function serveRest(
  res: http.ServerResponse,
  route: RestRoute,
  path: string,
  body: Buffer,
  headers: http.IncomingHttpHeaders,
  accessKeyId: string,
  hold: RequestHold,
): void {
  const fail = (err: unknown) => {
    const e = err instanceof AwsApiError ? err : new AwsApiError('ServiceException', `internal error: ${(err as Error).message}`, 500);
    send(res, e.status, 'application/json', { Type: e.status >= 500 ? 'Service' : 'User', message: e.message }, { 'x-amzn-errortype': e.code });
  };
  try {
    checkCredentials(headers.authorization, accessKeyId);
  } catch (err) {
    fail(err);
    return;
  }
  route.run((route.path.exec(path) ?? []).slice(1).map(decodeURIComponent), body, headers, hold).then((out) => {
    if (res.destroyed) return;
    res.writeHead(out.status, { 'content-length': String(Buffer.byteLength(out.body)), 'x-amzn-requestid': randomUUID(), ...out.headers });
    res.end(out.body);
  }, fail);
}

function checkCredentials(authorization: string | undefined, accessKeyId: string): void {
  const key = /Credential=([^/]+)\//.exec(authorization ?? '')?.[1];
  if (key !== accessKeyId) throw new AwsApiError('UnrecognizedClientException', 'The security token included in the request is invalid.');
}

function send(res: http.ServerResponse, status: number, contentType: string, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body ?? {});
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(payload)),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(payload);
}
