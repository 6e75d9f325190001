import { EC2Client, RunInstancesCommand, StopInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEc2Event } from '../../../functions/decisions/healing/ec2-events/parse.js';
import { EC2_HEALING_RULES } from '../../../functions/decisions/healing/ec2-events/patterns.js';
import { matchesPattern } from '../../../local/events/event-pattern.js';
import { type Sim, startSim } from '../../../sim/index.js';

let sim: Sim | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/** The events the simulated EC2 publishes, driven through the EC2 SDK: what the healing rules will receive locally. */
describe('Function: parseEc2Event (against the simulated EC2)', () => {
  it("reads every event the simulator's EC2 publishes, and the rules route the ones healing needs", async () => {
    sim = await startSim({ servers: ['ec2'], clock: { mode: 'virtual', autoAdvance: false }, world: { kind: ['ec2-eventual-consistency'] } });
    const aws = sim.credentials.aws;
    const ec2 = new EC2Client({
      endpoint: sim.endpoints.ec2,
      region: aws.region,
      credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
    });
    const run = async (spot: boolean) => {
      const out = await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-0aa00000000000001',
          InstanceType: 't3.medium',
          MinCount: 1,
          MaxCount: 1,
          ...(spot ? { InstanceMarketOptions: { MarketType: 'spot' } } : {}),
        }),
      );
      return out.Instances?.[0]?.InstanceId as string;
    };
    const spot = await run(true);
    const stopped = await run(false);
    const terminated = await run(false);
    await sim.clock.advance(20_000);
    sim.world.recommendRebalance(spot);
    sim.world.reclaimSpot(spot);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [stopped] }));
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [terminated] }));
    await sim.clock.advance(160_000);

    const parsed = sim.awsEvents.history.map((event) => parseEc2Event(event));
    expect(parsed.filter((p) => !p.ok)).toEqual([]);
    const routed = sim.awsEvents.history.flatMap((event) => {
      const rule = EC2_HEALING_RULES.find((r) => matchesPattern(r.pattern, event));
      return rule ? [`${rule.name} ${event.detail['instance-id']}${event.detail.state ? ` ${event.detail.state}` : ''}`] : [];
    });
    expect(routed.sort()).toEqual(
      [
        `Ec2RebalanceRecommendation ${spot}`,
        `Ec2SpotInterruptionWarning ${spot}`,
        `Ec2InstanceLeaving ${spot} shutting-down`,
        `Ec2InstanceLeaving ${spot} terminated`,
        `Ec2InstanceLeaving ${stopped} stopping`,
        `Ec2InstanceLeaving ${stopped} stopped`,
        `Ec2InstanceLeaving ${terminated} shutting-down`,
        `Ec2InstanceLeaving ${terminated} terminated`,
      ].sort(),
    );
  });
});
