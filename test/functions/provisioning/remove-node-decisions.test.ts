import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { type DrainPod, drainPolicy, selectPodsToDrain } from '../../../functions/decisions/drain.js';
import {
  decideRemoval,
  isLastAtMin,
  NO_REASON,
  planRemoval,
  type RemovalClaim,
  type RemovalFacts,
  type RemovalNode,
  removalFailureCause,
} from '../../../functions/decisions/remove-node.js';
import { InvalidInputError } from '../../../functions/runtime/errors.js';

const config = loadConfigFile(fileURLToPath(new URL('../../../shepherd.config.json', import.meta.url)));
const FUNCTIONS = { aws: 'fn-aws', gcp: 'fn-gcp', scaleway: 'fn-scaleway' };
const OWNER = 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-kosmos-demo-remove-node:r1';
const CLAIM = 'c0123456789abcdef012345678';
const plan = (input: unknown) => planRemoval(input, config, { name: 'r1', id: OWNER }, FUNCTIONS);

function invalid(input: unknown): string {
  try {
    plan(input);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    const message = (err as Error).message;
    // The Fail-cause convention puts JSON after the sentence: the sentence itself has no brace.
    expect(message).not.toMatch(/[{}]/);
    return message;
  }
  throw new Error(`planRemoval accepted ${JSON.stringify(input)}`);
}

describe('Function: planRemoval', () => {
  it('plans a removal by node name with the config drain deadline (healing.drainTimeoutSeconds) and eviction retry', () => {
    expect(plan({ nodeName: 'ip-10-0-0-2.eu-west-3.compute.internal' })).toEqual({
      nodeName: 'ip-10-0-0-2.eu-west-3.compute.internal',
      claimId: null,
      force: false,
      reason: NO_REASON,
      owner: OWNER,
      drain: { deadlineSeconds: config.healing.drainTimeoutSeconds, retrySeconds: config.healing.evictionRetrySeconds, maxPasses: 31 },
      providerFunctions: FUNCTIONS,
    });
  });

  it('plans a removal by claim id, forced, with its own drain deadline and reason', () => {
    expect(plan({ claimId: CLAIM, force: true, drainTimeoutSeconds: 60, reason: 'scale down' })).toMatchObject({
      nodeName: null,
      claimId: CLAIM,
      force: true,
      reason: 'scale down',
      drain: { deadlineSeconds: 60, maxPasses: 7 },
    });
  });

  it('names the field in every refusal', () => {
    expect(invalid('n1')).toContain('JSON object');
    expect(invalid({})).toContain('"nodeName" or "claimId" is required');
    expect(invalid({ nodeName: 'n1', claimId: CLAIM })).toContain('not both');
    expect(invalid({ nodeName: 'Node_1' })).toContain('"nodeName"');
    expect(invalid({ nodeName: 7 })).toContain('"nodeName"');
    expect(invalid({ claimId: 'abc' })).toContain('"claimId"');
    expect(invalid({ nodeName: 'n1', force: 'yes' })).toContain('"force"');
    expect(invalid({ nodeName: 'n1', drainTimeoutSeconds: 1.5 })).toContain('"drainTimeoutSeconds"');
    expect(invalid({ nodeName: 'n1', drainTimeoutSeconds: 3601 })).toContain('"drainTimeoutSeconds"');
    expect(invalid({ nodeName: 'n1', reason: 'x'.repeat(257) })).toContain('"reason"');
    expect(invalid({ nodeName: 'n1', pool: 'aws-amd64' })).toContain('"pool"');
  });
});

describe('Function: drainPolicy', () => {
  it('makes one pass at once and one every retry until the deadline; a deadline of 0 is a single pass', () => {
    expect(drainPolicy(300, 10)).toEqual({ deadlineSeconds: 300, retrySeconds: 10, maxPasses: 31 });
    expect(drainPolicy(25, 10).maxPasses).toBe(4);
    expect(drainPolicy(0, 10).maxPasses).toBe(1);
    expect(drainPolicy(10, 0).retrySeconds).toBe(1);
  });
});

const node = (over: Partial<RemovalNode> = {}): RemovalNode => ({
  exists: true,
  nodeName: 'n1',
  claimLabel: CLAIM,
  poolLabel: 'aws-arm64',
  poolNodes: 2,
  ...over,
});
const claim = (over: Partial<RemovalClaim> = {}): RemovalClaim => ({
  claimId: CLAIM,
  pool: 'aws-arm64',
  owner: 'arn:provision',
  status: 'active',
  nodeName: 'n1',
  ...over,
});
const facts = (over: Partial<RemovalFacts> = {}): RemovalFacts => ({
  plan: { nodeName: 'n1', claimId: null, force: false, owner: OWNER },
  claim: claim(),
  node: node(),
  poolMin: 0,
  now: 1_000,
  ...over,
});

describe('Function: decideRemoval', () => {
  it('removes an active node whose Node carries its claim', () => {
    expect(decideRemoval(facts())).toEqual({ kind: 'remove', takeover: false });
  });

  it('removes a node whose Node is already gone (deleted out of band): the VM and claim still go', () => {
    expect(decideRemoval(facts({ node: node({ exists: false, claimLabel: null }) }))).toEqual({ kind: 'remove', takeover: false });
  });

  it('names the claim once when a removal by claim finds it already released, with the reason recorded', () => {
    const released = claim({ status: 'released', releaseReason: `removed by RemoveNode: ${NO_REASON}` });
    const d = decideRemoval(facts({ plan: { ...facts().plan, nodeName: null, claimId: released.claimId }, claim: released, node: node({ exists: false }) }));
    expect(d).toEqual({ kind: 'done', why: `claim ${released.claimId} is already removed: it was released (removed by RemoveNode: no reason given)` });
  });

  it('is a no-op that says so when the claim is already released (a second run)', () => {
    const d = decideRemoval(facts({ claim: claim({ status: 'released', releaseReason: 'removed by RemoveNode: manual' }), node: node({ exists: false }) }));
    expect(d.kind).toBe('done');
    expect(d.kind === 'done' && d.why).toContain('already removed');
  });

  it('refuses a Node with no claim label, or a claim label this cluster has no record of', () => {
    const unlabelled = decideRemoval(facts({ claim: undefined, node: node({ claimLabel: null }) }));
    expect(unlabelled).toMatchObject({ kind: 'refuse', error: 'NodeNotOwnedError' });
    expect(unlabelled.kind === 'refuse' && unlabelled.message).toContain('no shepherd.io/claim label');
    const foreign = decideRemoval(facts({ claim: undefined }));
    expect(foreign.kind === 'refuse' && foreign.message).toContain("not recorded in this cluster's table");
  });

  it('refuses a Node that carries another claim than the one recorded', () => {
    expect(decideRemoval(facts({ node: node({ claimLabel: 'cother' }) }))).toMatchObject({ kind: 'refuse', error: 'NodeNotOwnedError' });
  });

  it('refuses an unknown node name and an unknown claim id', () => {
    expect(decideRemoval(facts({ claim: undefined, node: node({ exists: false }) }))).toMatchObject({ error: 'NodeNotFoundError' });
    const byClaim = facts({ plan: { nodeName: null, claimId: CLAIM, force: false, owner: OWNER }, claim: undefined, node: node({ exists: false }) });
    expect(decideRemoval(byClaim)).toMatchObject({ error: 'NodeNotOwnedError' });
  });

  it('refuses while ProvisionNode still holds the claim, and while another removal holds its lease', () => {
    expect(decideRemoval(facts({ claim: claim({ status: 'launched' }) }))).toMatchObject({ error: 'RemovalInProgressError' });
    expect(decideRemoval(facts({ claim: claim({ status: 'removing', owner: 'arn:other', leaseExpiresAt: 2_000 }) }))).toMatchObject({
      error: 'RemovalInProgressError',
    });
  });

  it('takes over a removal whose lease has passed, or its own (a retry)', () => {
    expect(decideRemoval(facts({ claim: claim({ status: 'removing', owner: 'arn:other', leaseExpiresAt: 999 }) }))).toEqual({ kind: 'remove', takeover: true });
    expect(decideRemoval(facts({ claim: claim({ status: 'removing', owner: OWNER, leaseExpiresAt: 5_000 }) }))).toEqual({ kind: 'remove', takeover: true });
  });

  it('refuses the last node of a pool at its min unless forced', () => {
    const atMin = facts({ poolMin: 1, node: node({ poolNodes: 1 }) });
    const refused = decideRemoval(atMin);
    expect(refused).toMatchObject({ kind: 'refuse', error: 'LastNodeAtMinError' });
    expect(refused.kind === 'refuse' && refused.message).toContain('"force": true');
    expect(decideRemoval({ ...atMin, plan: { ...atMin.plan, force: true } })).toEqual({ kind: 'remove', takeover: false });
    expect(decideRemoval(facts({ poolMin: 1, node: node({ poolNodes: 2 }) })).kind).toBe('remove');
  });
});

describe('Function: isLastAtMin', () => {
  it('is true only when one node fewer would be below the min', () => {
    expect(isLastAtMin(1, 1)).toBe(true);
    expect(isLastAtMin(2, 2)).toBe(true);
    expect(isLastAtMin(2, 1)).toBe(false);
    expect(isLastAtMin(1, 0)).toBe(false);
    expect(isLastAtMin(0, undefined)).toBe(false);
  });
});

describe('Function: selectPodsToDrain', () => {
  const pod = (name: string, over: Partial<DrainPod> = {}): DrainPod => ({ namespace: 'default', name, mirror: false, terminating: false, ...over });

  it('evicts workload and bare pods, skips DaemonSet and mirror pods, waits for terminating ones', () => {
    const out = selectPodsToDrain([
      pod('web-1', { controllerKind: 'ReplicaSet' }),
      pod('bare'),
      pod('done', { phase: 'Succeeded' }),
      pod('agent', { controllerKind: 'DaemonSet', namespace: 'kube-system' }),
      pod('etcd-n1', { mirror: true, controllerKind: 'Node' }),
      pod('web-2', { controllerKind: 'ReplicaSet', terminating: true }),
    ]);
    expect(out.evict.map((p) => p.name)).toEqual(['web-1', 'bare', 'done']);
    expect(out.skipped.map((p) => p.name)).toEqual(['agent', 'etcd-n1']);
    expect(out.terminating.map((p) => p.name)).toEqual(['web-2']);
  });
});

describe('Function: removalFailureCause', () => {
  const split = (cause: string) => {
    const at = cause.indexOf('{');
    expect(cause[at - 1]).toBe(' ');
    return { sentence: cause.slice(0, at - 1), details: JSON.parse(cause.slice(at)) };
  };

  it('at the drain deadline: names the node, the deadline and the blocked pods, and says what to do', () => {
    const out = removalFailureCause('drainTimedOut', {
      nodeName: 'n1',
      claimId: CLAIM,
      pool: 'aws-arm64',
      lastDrain: { blocked: ['default/web-1'], terminating: 0 },
      drain: { deadlineSeconds: 60 },
    });
    expect(out.error).toBe('DrainTimedOut');
    const { sentence, details } = split(out.cause);
    expect(sentence).toBe(
      'Could not drain node n1 within 60 s: a PodDisruptionBudget still blocks the eviction of 1 pod(s). It is left cordoned and its claim kept; relax the budget, or run RemoveNode again with "force": true to delete the remaining pods.',
    );
    expect(details).toEqual({ nodeName: 'n1', claimId: CLAIM, pool: 'aws-arm64', blockedPods: ['default/web-1'], terminatingPods: 0, drainTimeoutSeconds: 60 });
  });

  it('before the Node went: the Lambda error message, without its trace, and braces kept out of the sentence', () => {
    const cause = JSON.stringify({ errorType: 'KubeApiError', errorMessage: 'PATCH {x}: 403 Forbidden', trace: ['at /tmp/index.mjs:1'] });
    const out = removalFailureCause('failedBeforeNodeDeleted', { nodeName: 'n1', claimId: CLAIM, pool: 'p', error: { Error: 'KubeApiError', Cause: cause } });
    expect(out.error).toBe('RemovalFailed');
    const { sentence, details } = split(out.cause);
    expect(sentence).toContain('Could not remove node n1: KubeApiError failed (PATCH x: 403 Forbidden)');
    expect(sentence).not.toContain('/tmp');
    expect(details).toEqual({ nodeName: 'n1', claimId: CLAIM, pool: 'p', error: 'KubeApiError' });
  });

  it('after the Node went: says the claim is kept and how to finish', () => {
    const out = removalFailureCause('failedAfterNodeDeleted', {
      nodeName: null,
      claimId: CLAIM,
      pool: 'p',
      error: { Error: 'States.Timeout', Cause: 'timed out' },
    });
    const { sentence, details } = split(out.cause);
    expect(sentence).toContain(`run RemoveNode again with "claimId": "${CLAIM}"`);
    expect(sentence).toContain('(timed out)');
    expect(details.error).toBe('States.Timeout');
  });
});

describe('Example inputs (workflows/examples/remove-node.*.json)', () => {
  const dir = fileURLToPath(new URL('../../../workflows/examples/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.startsWith('remove-node.') && f.endsWith('.json'));
  it('covers removal by node name, by claim and forced', () => {
    expect(files.sort()).toEqual(['remove-node.by-claim.json', 'remove-node.by-node-name.json', 'remove-node.force.json']);
  });
  for (const file of files) {
    it(`${file} is a valid RemoveNode input for the example config`, () => {
      const p = plan(JSON.parse(readFileSync(`${dir}${file}`, 'utf8')));
      expect(p.nodeName ?? p.claimId).toBeTruthy();
    });
  }
});
