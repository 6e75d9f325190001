import { DescribeInstancesCommand, EC2Client, EC2ServiceException, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { loadConfigFile, parseConfig } from '../../../config/load.js';
import { launchToken } from '../../../functions/decisions/launch-token.js';
import { type ProvisionSlot, planProvision, type VmRef } from '../../../functions/decisions/provision.js';
import type { ProviderEvent, ProviderResult } from '../../../functions/providers/handler.js';

// What the stack bakes into the bundle: the validated config, defaults applied.
const CONFIG_JSON = JSON.stringify(loadConfigFile(new URL('../../../shepherd.config.json', import.meta.url).pathname));
const config = parseConfig(JSON.parse(CONFIG_JSON));
const KOSMOS_SECRET_ARN = 'arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/kosmos-demo/kosmos-secret-key';
const SECRET_KEY = 'scw-secret-5f2a9c1e-0000-4000-8000-00000000beef';

const ec2 = mockClient(EC2Client);
const secrets = mockClient(SSMClient);
const savedEnv = { ...process.env };

type Handler = (event: ProviderEvent) => Promise<ProviderResult>;
let handler: Handler;
let consoleSpies: MockInstance[];

const EXECUTION = { name: 'exec-1', id: 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-kosmos-demo-provision-node:exec-1' };
const plan = planProvision({ pool: 'aws-amd64', reason: 'test' }, config, EXECUTION, { aws: 'provider-aws' });
const slot: ProvisionSlot = plan.slots[0];
/** The pool's offerings: t3.medium in eu-west-3a, then in eu-west-3b, then t3.large. */
const [first, second] = plan.offerings;

function instance(id: string, zone: string, type: string) {
  return { InstanceId: id, InstanceType: type as never, Placement: { AvailabilityZone: zone }, PrivateIpAddress: '10.0.2.7', PrivateDnsName: 'ip-10-0-2-7' };
}

function ec2Error(code: string, status: number): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${code} in this zone`,
  });
}

/** Everything the handler wrote to the console, as one string. */
function consoleText(): string {
  return consoleSpies.flatMap((s) => s.mock.calls.flat().map(String)).join('\n');
}

beforeAll(() => {
  process.env.SHEPHERD_CONFIG = CONFIG_JSON;
  process.env.AWS_REGION = 'eu-west-3';
});

afterAll(() => {
  process.env = savedEnv;
  ec2.restore();
  secrets.restore();
});

beforeEach(async () => {
  ec2.reset();
  secrets.reset();
  // The secret and its trailing newline, as `aws ssm put-parameter --type SecureString --value file://key` stores it.
  secrets
    .on(GetParameterCommand, { Name: KOSMOS_SECRET_ARN, WithDecryption: true })
    .resolves({ Parameter: { Type: 'SecureString', Value: `${SECRET_KEY}\n` } });
  // The logger (Powertools) writes its lines to the process's streams, not through the global console.
  consoleSpies = [process.stdout, process.stderr].map((stream) => vi.spyOn(stream, 'write').mockImplementation(() => true));
  // Fresh module state per test: the secret cache and the provider cache live at module level, as in a warm Lambda.
  vi.resetModules();
  ({ handler } = (await import('../../../functions/providers/aws/handler.js')) as { handler: Handler });
});

afterEach(() => vi.restoreAllMocks());

describe('Function: provider handler (aws)', () => {
  describe('launch', () => {
    it("launches in the offering the claim records, with that offering's launch token", async () => {
      ec2.on(RunInstancesCommand).resolvesOnce({ Instances: [instance('i-0b', 'eu-west-3b', 't3.medium')] });

      const vm = (await handler({ action: 'launch', slot, offering: { index: 1, ...second } as typeof second, activeClaims: 1 })) as VmRef;

      const inputs = ec2.commandCalls(RunInstancesCommand).map((c) => c.args[0].input);
      expect(inputs.map((i) => `${i.InstanceType}@${i.SubnetId}`)).toEqual(['t3.medium@subnet-00000000000000002']);
      expect(inputs[0].ClientToken).toBe(
        launchToken(slot.claimId, slot.owner, { type: 't3.medium', zone: 'eu-west-3b', subnetId: 'subnet-00000000000000002' }),
      );
      expect(vm).toMatchObject({ provider: 'aws', id: 'i-0b', zone: 'eu-west-3b', type: 't3.medium', providerID: 'aws:///eu-west-3b/i-0b' });
      expect(secrets.commandCalls(GetParameterCommand).map((c) => c.args[0].input.Name)).toEqual([KOSMOS_SECRET_ARN]);
    });

    it('rethrows a capacity error without trying another offering: the workflow moves the claim on first', async () => {
      ec2.on(RunInstancesCommand).rejects(ec2Error('InsufficientInstanceCapacity', 500));

      const err = (await handler({ action: 'launch', slot, offering: first }).catch((e: Error) => e)) as Error;

      expect(err.name).toBe('InsufficientCapacityError');
      expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(1);
      expect(consoleText()).toContain('no capacity in this offering');
      expect(err.message).not.toContain(SECRET_KEY);
      expect(consoleText()).not.toContain(SECRET_KEY);
    });

    it("refuses an offering that is not one of the pool's", async () => {
      const err = (await handler({ action: 'launch', slot, offering: { type: 'p5.48xlarge', zone: 'eu-west-3a' } }).catch((e: Error) => e)) as Error;
      expect(err.name).toBe('InvalidInputError');
      expect(err.message).toBe("offering p5.48xlarge@eu-west-3a is not one of pool aws-amd64's");
      expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(0);
    });

    it('rethrows EC2 Unsupported (the type is not offered in that zone) as a capacity error the workflow moves on from', async () => {
      ec2.on(RunInstancesCommand).rejects(ec2Error('Unsupported', 400));

      const err = (await handler({ action: 'launch', slot, offering: first }).catch((e: Error) => e)) as Error;

      // "Launch VM" catches this name, with InsufficientCapacityError, to try the claim's next offering.
      expect(err.name).toBe('InstanceTypeUnsupportedError');
      expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(1);
    });

    it('sends the rendered user data (with the join secret) to RunInstances, never to its result or the logs', async () => {
      ec2.on(RunInstancesCommand).resolvesOnce({ Instances: [instance('i-0b', 'eu-west-3b', 't3.medium')] });

      const result = await handler({ action: 'launch', slot, offering: second });

      const encoded = ec2.commandCalls(RunInstancesCommand)[0].args[0].input.UserData ?? '';
      const userData = Buffer.from(encoded, 'base64').toString('utf8');
      expect(userData).toContain(`SCW_SECRET_KEY=${SECRET_KEY}\n`);
      expect(userData).toContain('POOL_ID=00000000-0000-4000-8000-000000000011');
      const returned = JSON.stringify(result);
      const logged = consoleText();
      expect(logged).not.toBe('');
      for (const leak of [SECRET_KEY, encoded, 'SCW_SECRET_KEY']) {
        expect(returned).not.toContain(leak);
        expect(logged).not.toContain(leak);
      }
    });

    it.each([
      ['RequestLimitExceeded', 503, 'ThrottledError'],
      ['InvalidAMIID.NotFound', 400, 'ProviderRequestError'],
      ['InternalError', 500, 'TransientError'],
    ])('fails on %s (%i) with %s for the workflow to retry or give up', async (code, status, name) => {
      ec2.on(RunInstancesCommand).rejects(ec2Error(code, status));
      const err = (await handler({ action: 'launch', slot, offering: first }).catch((e: Error) => e)) as Error;
      expect(err.name).toBe(name);
      expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(1);
    });
  });

  describe('cleanup', () => {
    const known: VmRef = { provider: 'aws', id: 'i-known', name: 'ip-10-0-2-7', zone: 'eu-west-3a', region: 'eu-west-3', type: 't3.medium' };

    it('terminates the known VM and every VM found by the claim tag, each once', async () => {
      ec2.on(DescribeInstancesCommand).resolves({
        Reservations: [{ Instances: [instance('i-known', 'eu-west-3a', 't3.medium')] }, { Instances: [instance('i-orphan', 'eu-west-3b', 't3.large')] }],
      });
      ec2.on(TerminateInstancesCommand).resolves({});

      const out = await handler({ action: 'cleanup', slot, vm: known });

      expect(ec2.commandCalls(DescribeInstancesCommand)[0].args[0].input.Filters).toContainEqual({ Name: 'tag:shepherd:claim', Values: [slot.claimId] });
      const terminated = ec2.commandCalls(TerminateInstancesCommand).flatMap((c) => c.args[0].input.InstanceIds ?? []);
      expect(terminated.sort()).toEqual(['i-known', 'i-orphan']);
      expect(out).toEqual({ terminated: ['i-known', 'i-orphan'], alreadyGone: [] });
    });

    it('finds VMs by tag when the workflow knows of none (a crash mid-launch)', async () => {
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance('i-lost', 'eu-west-3a', 't3.medium')] }] });
      ec2.on(TerminateInstancesCommand).resolves({});
      expect(await handler({ action: 'cleanup', slot, vm: null })).toEqual({ terminated: ['i-lost'], alreadyGone: [] });
      expect(ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([['i-lost']]);
    });

    it('succeeds when the VM is long gone, and says it was already gone; a NotFound for a VM launched moments ago is a TransientError to try again', async () => {
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
      ec2.on(TerminateInstancesCommand).rejects(ec2Error('InvalidInstanceID.NotFound', 400));
      const longAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
      expect(await handler({ action: 'cleanup', slot, vm: { ...known, launchedAt: longAgo } })).toEqual({ terminated: [], alreadyGone: ['i-known'] });

      const err = (await handler({ action: 'cleanup', slot, vm: { ...known, launchedAt: new Date().toISOString() } }).catch((e: Error) => e)) as Error;
      expect(err.name).toBe('TransientError');
    });

    it('separates the VMs it terminated from those EC2 says were terminated before (deleted out of band)', async () => {
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance('i-orphan', 'eu-west-3b', 't3.large')] }] });
      ec2
        .on(TerminateInstancesCommand, { InstanceIds: ['i-known'] })
        .resolves({ TerminatingInstances: [{ InstanceId: 'i-known', PreviousState: { Name: 'terminated' }, CurrentState: { Name: 'terminated' } }] });
      ec2
        .on(TerminateInstancesCommand, { InstanceIds: ['i-orphan'] })
        .resolves({ TerminatingInstances: [{ InstanceId: 'i-orphan', PreviousState: { Name: 'running' }, CurrentState: { Name: 'shutting-down' } }] });
      expect(await handler({ action: 'cleanup', slot, vm: known })).toEqual({ terminated: ['i-orphan'], alreadyGone: ['i-known'] });
    });

    it('fails with ListingLagError when it knows of no VM and finds none, for the workflow to look again', async () => {
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
      const err = (await handler({ action: 'cleanup', slot }).catch((e: Error) => e)) as Error;
      expect(err.name).toBe('ListingLagError');
      expect(err.message).toBe(`no VM found for claim ${slot.claimId} yet; aws's lists may lag a launch of moments ago`);
      expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
    });

    it('fails, for the workflow to keep the claim, when a VM cannot be terminated', async () => {
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
      ec2.on(TerminateInstancesCommand).rejects(ec2Error('UnauthorizedOperation', 403));
      const err = (await handler({ action: 'cleanup', slot, vm: known }).catch((e: Error) => e)) as Error;
      expect(err.name).toBe('ProviderRequestError');
    });
  });

  it("refuses a slot of another provider's pool (each function serves its own provider)", async () => {
    const gcpPlan = planProvision({ pool: 'gcp-amd64' }, config, EXECUTION, { gcp: 'provider-gcp' });
    const err = (await handler({ action: 'launch', slot: gcpPlan.slots[0], offering: gcpPlan.offerings[0] }).catch((e: Error) => e)) as Error;
    expect(err.name).toBe('InvalidInputError');
    expect(err.message).toBe('pool gcp-amd64 belongs to provider gcp, not aws');
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(0);
  });

  it("lists the cluster's VMs a page at a time", async () => {
    ec2.on(DescribeInstancesCommand).resolvesOnce({ Reservations: [{ Instances: [instance('i-1', 'eu-west-3a', 't3.medium')] }], NextToken: 'p2' });
    const page = (await handler({ action: 'listOwned' })) as { items: VmRef[]; next?: string };
    expect(page.items.map((v) => v.id)).toEqual(['i-1']);
    expect(page.next).toBe('p2');
  });

  it('terminates an orphan VM by itself (no claim, no pool), and refuses a VM of another provider or without an id', async () => {
    ec2.on(TerminateInstancesCommand).resolves({});
    const orphan: VmRef = { provider: 'aws', id: 'i-0orphan', name: 'ip-10-0-2-9', zone: 'eu-west-3a', region: 'eu-west-3', type: 't3.medium' };
    expect(await handler({ action: 'terminate', vm: orphan })).toEqual({ terminated: ['i-0orphan'], alreadyGone: [] });
    expect(ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([['i-0orphan']]);
    for (const vm of [
      { ...orphan, provider: 'gcp' as const },
      { ...orphan, id: '' },
    ]) {
      expect(((await handler({ action: 'terminate', vm }).catch((e: Error) => e)) as Error).name).toBe('InvalidInputError');
    }
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(1);
  });
});
