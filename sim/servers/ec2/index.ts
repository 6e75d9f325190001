import type { SimEnv } from '../../env.js';
import type { ServerSpec, SimRequest, SimResponse } from '../../http.js';
import { Random } from '../../random.js';
import { ACTIONS } from './actions/index.js';
import { authenticate } from './auth.js';
import { appliesTo, ec2Controls } from './controls.js';
import { Ec2Error } from './errors.js';
import { publishEc2Events } from './events.js';
import { awsRegions } from './network.js';
import { QueryParams } from './query.js';
import type { Ec2Action, Ec2Context, Ec2ServerState } from './types.js';
import { actionResponse, errorResponse } from './xml.js';

export { type Ec2Controls, ec2Controls } from './controls.js';

/**
 * The EC2 Query API (XML, version 2016-11-15) over the world's AWS VMs: RunInstances,
 * DescribeInstances, Terminate/Stop/StartInstances, Create/DeleteTags, DescribeSubnets,
 * DescribeInstanceStatus and DescribeInstanceTypeOfferings, with SigV4 checking, EC2's error XML,
 * EventBridge events and EC2's eventual consistency (consistency.ts).
 *
 * Authentication (bad key, bad signature) is answered before the call counts as an operation;
 * everything after it is the operation named by `Action`, subject to sim.faults (a rateLimit
 * answers RequestLimitExceeded, 503) and to ec2Controls (UnauthorizedOperation, Unavailable).
 */
export function ec2Server(env: SimEnv): ServerSpec {
  const state: Ec2ServerState = {
    clientTokens: new Map(),
    ids: new Random(seedOf(env.credentials.aws.accessKeyId)),
    controls: ec2Controls(env.world),
  };
  const regions = awsRegions(env.world);
  publishEc2Events(env);
  const newRequestId = () => state.ids.uuid();

  return {
    name: 'ec2',
    route(req: SimRequest) {
      const requestId = newRequestId();
      try {
        const region = authenticate(req, env.credentials.aws, regions);
        const params = QueryParams.parse(req.method === 'POST' ? req.text() : '', req.query);
        const action = params.str('Action');
        if (!action) throw Ec2Error.missing('Action');
        const handler = ACTIONS[action];
        if (!handler) throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
        return { op: action, run: () => runAction({ env, state, region, requestId }, action, handler, params) };
      } catch (err) {
        return answerError(err, requestId);
      }
    },
    errors: {
      internal: (message) => errorResponse(new Ec2Error('InternalError', message, 500), newRequestId()),
      // EC2 sends no Retry-After; SDKs back off on the code alone.
      throttled: (message) => errorResponse(new Ec2Error('RequestLimitExceeded', message, 503), newRequestId()),
    },
  };
}

function runAction(ctx: Ec2Context, action: string, handler: Ec2Action, params: QueryParams): SimResponse {
  try {
    const { denied, unavailable } = ctx.state.controls;
    if (appliesTo(unavailable, action)) throw new Ec2Error('Unavailable', 'The server is overloaded and cannot handle the request.', 503);
    if (appliesTo(denied, action)) throw unauthorized(ctx, action);
    if (params.bool('DryRun')) throw new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    return actionResponse(action, ctx.requestId, handler(ctx, params));
  } catch (err) {
    return answerError(err, ctx.requestId);
  }
}

/** EC2 errors become EC2's error XML; anything else is a simulator bug and goes to the harness (500). */
function answerError(err: unknown, requestId: string): SimResponse {
  if (err instanceof Ec2Error) return errorResponse(err, requestId);
  throw err;
}

function unauthorized(ctx: Ec2Context, action: string): Ec2Error {
  const { accountId } = ctx.env.credentials.aws;
  // Real responses end with an encoded policy-evaluation blob (decodable with STS); this one is opaque.
  const encoded = Buffer.from(`${ctx.requestId}:ec2:${action}`).toString('base64');
  return new Ec2Error(
    'UnauthorizedOperation',
    `You are not authorized to perform this operation. User: arn:aws:iam::${accountId}:user/shepherd is not authorized to perform: ec2:${action} because no identity-based policy allows the ec2:${action} action. Encoded authorization failure message: ${encoded}`,
    403,
  );
}

/** A seed for the server's own id stream, so minting ids never shifts the world's randomness. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}
