import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SimCredentials } from '../../env.js';
import type { SimRequest } from '../../http.js';
import { AUTH_FAILURE_MESSAGE, Ec2Error, SIGNATURE_MISMATCH_MESSAGE } from './errors.js';

interface SigV4Header {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/**
 * Checks a request's SigV4 `Authorization` header the way EC2 does: an unknown access key is
 * AuthFailure (401), a signature that does not verify with the secret key is
 * SignatureDoesNotMatch (403). Returns the region of the credential scope, which the simulator
 * serves (one loopback endpoint for every region, as the caller signs for one). The request
 * time is not checked against the simulated clock, which runs apart from the caller's.
 */
export function authenticate(req: SimRequest, aws: SimCredentials['aws'], regions: readonly string[]): string {
  const raw = req.headers.authorization;
  if (!raw) throw new Ec2Error('AuthFailure', AUTH_FAILURE_MESSAGE, 401);
  const auth = parseAuthorization(raw);
  if (!auth) throw new Ec2Error('IncompleteSignature', 'The request signature does not conform to AWS standards.', 400);
  if (auth.accessKeyId !== aws.accessKeyId || auth.service !== 'ec2' || !regions.includes(auth.region)) {
    throw new Ec2Error('AuthFailure', AUTH_FAILURE_MESSAGE, 401);
  }
  const amzDate = header(req, 'x-amz-date');
  if (!amzDate || !verifySignature(req, auth, amzDate, aws.secretAccessKey)) {
    throw new Ec2Error('SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE, 403);
  }
  return auth.region;
}

function parseAuthorization(raw: string): SigV4Header | undefined {
  const m = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(raw.trim());
  if (!m) return undefined;
  const scope = m[1].split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = scope;
  return { accessKeyId, date, region, service, signedHeaders: m[2].split(';'), signature: m[3] };
}

function verifySignature(req: SimRequest, auth: SigV4Header, amzDate: string, secret: string): boolean {
  const headers = auth.signedHeaders.map((name) => `${name}:${(header(req, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method, req.url.pathname || '/', canonicalQuery(req.query), headers, auth.signedHeaders.join(';'), sha256Hex(req.body)].join(
    '\n',
  );
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${secret}`, auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const given = Buffer.from(auth.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function canonicalQuery(query: URLSearchParams): string {
  return [...query]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
