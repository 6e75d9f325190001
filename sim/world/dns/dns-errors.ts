/** One entry of a Cloudflare error: `{ code, message }`, with the causes in `error_chain` when it has them. */
export interface DnsErrorDetail {
  code: number;
  message: string;
  error_chain?: Array<{ code: number; message: string }>;
}

/** A DNS change Cloudflare refuses, with Cloudflare's own HTTP status, code and message. */
export class DnsRecordError extends Error {
  override readonly name = 'DnsRecordError';
  constructor(
    readonly status: number,
    readonly detail: DnsErrorDetail,
  ) {
    super(detail.error_chain?.length ? `${detail.message}: ${detail.error_chain.map((c) => c.message).join('; ')}` : detail.message);
  }
}

export function isDnsRecordError(err: unknown): err is DnsRecordError {
  return err instanceof DnsRecordError;
}

const SAME_NAME_HELP = 'For more details, refer to <https://developers.cloudflare.com/dns/manage-dns-records/troubleshooting/records-with-same-name/>.';

/** The errors Cloudflare answers DNS record calls with (codes and messages as its API returns them). */
export const dnsErrors = {
  recordNotFound: () => new DnsRecordError(404, { code: 81044, message: 'Record does not exist.' }),
  identical: () => new DnsRecordError(400, { code: 81058, message: 'An identical record already exists.' }),
  /** A CNAME where an A, AAAA or CNAME already is. */
  hostTaken: () => new DnsRecordError(400, { code: 81053, message: `An A, AAAA, or CNAME record with that host already exists. ${SAME_NAME_HELP}` }),
  /** An A or AAAA where a CNAME already is. */
  cnameExists: () => new DnsRecordError(400, { code: 81054, message: `A CNAME record with that host already exists. ${SAME_NAME_HELP}` }),
  ttlRange: () =>
    new DnsRecordError(400, {
      code: 1004,
      message: 'DNS Validation Error',
      error_chain: [{ code: 9021, message: 'TTL must be between 60 and 86400 seconds, or 1 for Automatic.' }],
    }),
  ttlNotNumber: () => new DnsRecordError(400, { code: 9022, message: 'TTL must be a number, not a string.' }),
  notProxiable: () => new DnsRecordError(400, { code: 9004, message: 'This record type cannot be proxied.' }),
  proxyTargetNotAllowed: (target: string) => new DnsRecordError(400, { code: 9003, message: `Target ${target} is not allowed for a proxied record.` }),
  invalidA: () => new DnsRecordError(400, { code: 9005, message: 'Content for A record must be a valid IPv4 address.' }),
  invalidAAAA: () => new DnsRecordError(400, { code: 9006, message: 'Content for AAAA record must be a valid IPv6 address.' }),
  invalidCname: () => new DnsRecordError(400, { code: 9007, message: 'Content for CNAME record is invalid.' }),
  // The following codes are not confirmed against the live API; 1004 is Cloudflare's DNS validation code.
  invalidName: () => new DnsRecordError(400, { code: 1004, message: 'DNS name is invalid.' }),
  invalidType: () => new DnsRecordError(400, { code: 1004, message: 'Invalid DNS record type.' }),
  invalidTxt: () => new DnsRecordError(400, { code: 1004, message: 'Content for TXT record is invalid.' }),
  invalidField: (field: string, expected: string) => new DnsRecordError(400, { code: 1004, message: `${field} must be ${expected}.` }),
  /** A record carrying more tags than the zone's plan allows (Free: none). */
  tagQuota: (tags: number, quota: number) =>
    new DnsRecordError(400, {
      code: 1004,
      message: 'DNS Validation Error',
      error_chain: [{ code: 9300, message: `DNS record has ${tags} tags, exceeding the quota of ${quota}.` }],
    }),
  /** A comment longer than the zone's plan allows (Free: 100 characters, paid plans: 500). */
  commentTooLong: (max: number) =>
    new DnsRecordError(400, {
      code: 1004,
      message: 'DNS Validation Error',
      error_chain: [{ code: 9313, message: `DNS record comment exceeds the maximum length of ${max} characters.` }],
    }),
  /** A new record in a zone that already holds as many as its plan allows. */
  recordQuota: () => new DnsRecordError(400, { code: 81045, message: 'Record quota exceeded.' }),
  batchTooLarge: (limit: number) => new DnsRecordError(400, { code: 1004, message: `A batch may change at most ${limit} DNS records on this zone's plan.` }),
};
