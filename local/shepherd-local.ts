import { loadConfigFile } from '../config/load.js';
import type { ShepherdConfig } from '../config/types.js';
import { type ClockOptions, type KindSwitches, type Sim, startSim } from '../sim/index.js';
import { type ChaosServer, startChaosServer } from './chaos/chaos-server.js';
import { ChaosService } from './chaos/chaos-service.js';
import { synthesizeStack } from './cloudformation/synth.js';
import { type LocalControlPlane, startLocalControlPlane } from './control-plane.js';
import { prepareWorld, simulatorEnv } from './shepherd-world.js';

export interface ShepherdLocalOptions {
  config?: ShepherdConfig;
  configFile?: string;
  seed?: number;
  clock?: ClockOptions;
  /** The simulated services' unkind behaviours to switch off (all on by default). */
  kind?: KindSwitches;
  cacheDir?: string;
  /** Secret values by ARN that replace the ones the world provides (a test's malformed secret). */
  secrets?: Record<string, string>;
  onLambdaLog?: (functionName: string, line: string) => void;
  /** Told as each phase of the start begins (synthesizing, starting the simulated clouds, ...), for a person waiting. */
  onPhase?: (phase: string) => void;
}

export interface ShepherdLocal {
  config: ShepherdConfig;
  sim: Sim;
  controlPlane: LocalControlPlane;
  /** The chaos endpoint on loopback (`shepherd chaos`): its URL and bearer token. */
  chaos: Pick<ChaosServer, 'url' | 'token'>;
  /** The local ARN of a workflow's state machine, e.g. `provisionNode`. */
  stateMachineArn(workflow: 'provisionNode' | 'removeNode' | 'healNode' | 'scaleBuffer' | 'dnsFailover'): string;
  tableName: string;
  stop(): Promise<void>;
}

/**
 * The simulated multi-cloud plus shepherd's own synthesized stack running on it: every function
 * talks to the simulated EC2/GCE/Scaleway/Cloudflare/Kubernetes, and EC2's EventBridge events
 * reach the stack's rules.
 */
export async function startShepherdLocal(options: ShepherdLocalOptions = {}): Promise<ShepherdLocal> {
  const config = options.config ?? loadConfigFile(options.configFile);
  const phase = options.onPhase ?? (() => undefined);
  phase('Synthesizing the stack (bundling the functions: about half a minute the first time, cached after)...');
  const cdkOut = await synthesizeStack(config, options.cacheDir);
  phase('Starting the simulated clouds (EC2, GCE, Scaleway, Cloudflare, Kubernetes)...');
  const sim = await startSim({
    seed: options.seed ?? 1,
    clock: options.clock ?? { mode: 'virtual' },
    world: { clusterName: config.cluster.name, scalewayClusterId: config.providers.scaleway?.clusterId, kind: options.kind },
  });
  try {
    const secrets = { ...prepareWorld(sim, config), ...options.secrets };
    phase('Starting the local control plane (Step Functions, Lambda, DynamoDB, EventBridge)...');
    const controlPlane = await startLocalControlPlane({
      cdkOut,
      clock: sim.clock,
      region: config.providers.aws?.region ?? sim.credentials.aws.region,
      accountId: sim.credentials.aws.accountId,
      // One credential set for everything, so the functions' SigV4 also satisfies the simulated EC2.
      credentials: { accessKeyId: sim.credentials.aws.accessKeyId, secretAccessKey: sim.credentials.aws.secretAccessKey },
      secrets,
      extraEnv: simulatorEnv(sim),
      seed: options.seed ?? 1,
      eventDelivery: sim.world.unkindness.has('eventbridge-delivery') ? 'at-least-once' : 'exactly-once',
      queueDelivery: sim.world.unkindness.has('sqs-delivery') ? 'at-least-once' : 'exactly-once',
      onLambdaLog: options.onLambdaLog,
    });
    const unsubscribe = sim.awsEvents.subscribe((e) => controlPlane.publish(e));
    let chaos: ChaosServer;
    phase('Starting the chaos endpoint...');
    try {
      chaos = await startChaosServer(new ChaosService({ sim, config }));
    } catch (err) {
      unsubscribe();
      await controlPlane.stop();
      throw err;
    }
    const table = controlPlane.stack.tables[0];
    return {
      config,
      sim,
      controlPlane,
      chaos: { url: chaos.url, token: chaos.token },
      tableName: table?.name ?? '',
      stateMachineArn: (workflow) => {
        const wanted = workflow.toLowerCase();
        const machine = Object.entries(controlPlane.stateMachines).find(([name]) => name.replace(/[-_]/g, '').toLowerCase().includes(wanted));
        if (!machine) throw new Error(`no ${workflow} state machine in the synthesized stack; have: ${Object.keys(controlPlane.stateMachines).join(', ')}`);
        return machine[1];
      },
      async stop() {
        unsubscribe();
        await chaos.close();
        await controlPlane.stop();
        await sim.stop();
      },
    };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}
