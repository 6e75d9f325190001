import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { ShepherdConfig } from '../config/types.js';
import { EXECUTION_BUDGET_ENV } from '../functions/decisions/execution-budget.js';
import { providerFunctionEnvName } from '../functions/providers/function-env.js';
import { launchableProviders, providerNamed } from '../functions/providers/registry.js';
import type { ProviderDescriptor } from '../functions/providers/types.js';
import { AlarmTopic } from './constructs/alarm-topic.js';
import { ClaimCleanupStateMachine } from './constructs/claim-cleanup-state-machine.js';
import { ClusterHints } from './constructs/cluster-hints.js';
import { ClusterWatcher } from './constructs/cluster-watcher.js';
import { DnsChecks } from './constructs/dns-checks.js';
import { DnsFailover } from './constructs/dns-failover.js';
import { HealNodeStateMachine } from './constructs/heal-node-state-machine.js';
import { HealTriggers } from './constructs/heal-triggers.js';
import { ProvisionNodeStateMachine } from './constructs/provision-node-state-machine.js';
import { RemoveNodeStateMachine } from './constructs/remove-node-state-machine.js';
import { ScaleBuffer } from './constructs/scale-buffer.js';
import { ScaleBufferTriggers } from './constructs/scale-buffer-triggers.js';
import { ShepherdFunction } from './constructs/shepherd-function.js';
import { ShepherdTable } from './constructs/shepherd-table.js';
import { claimsPermissions, clusterNodesPermissions, healNodePermissions, providerPermissions, validateInputPermissions } from './function-permissions.js';
import { physicalName } from './physical-names.js';

export interface ShepherdStackProps extends StackProps {
  /** The validated shepherd.config.json. */
  readonly config: ShepherdConfig;
}

/** The repository root: handler entries, package-lock.json and tsconfig.json are resolved from here. */
const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const handlerEntry = (name: string) => join(PROJECT_ROOT, 'functions', 'handlers', `${name}.ts`);
const providerEntry = (name: string) => join(PROJECT_ROOT, 'functions', 'providers', name, 'handler.ts');
const DEFAULT_PROVIDER_FUNCTION = { memoryMb: 256, timeoutSeconds: 240 };

/** The launchable providers the config's pools use: each gets its own function. */
export function providersInUse(config: ShepherdConfig): ProviderDescriptor[] {
  return launchableProviders().filter((p) => config.pools.some((pool) => pool.provider === p.name));
}

/**
 * Everything shepherd runs on for one cluster: the claims table, the event bus, the ProvisionNode functions (one
 * per provider the config uses, so a launch loads only its own cloud's SDK and holds only its own secrets and IAM)
 * and the ProvisionNode state machine. Lambda timeouts stay below the timeouts of the workflow tasks that invoke
 * them, so a slow call ends inside the function (reported, retried or cleaned up by the workflow) rather than
 * running on after the workflow has moved on.
 */
export class ShepherdStack extends Stack {
  readonly table: ShepherdTable;
  readonly bus: events.EventBus;
  readonly functions: {
    readonly validate: ShepherdFunction;
    readonly claims: ShepherdFunction;
    readonly cluster: ShepherdFunction;
    readonly cleanup: ShepherdFunction;
    readonly heal: ShepherdFunction;
    /** By provider name. */
    readonly providers: Readonly<Record<string, ShepherdFunction>>;
  };
  readonly provisionNode: ProvisionNodeStateMachine;
  readonly claimCleanup: ClaimCleanupStateMachine;
  readonly removeNode: RemoveNodeStateMachine;
  readonly healNode: HealNodeStateMachine;
  readonly watcher: ClusterWatcher;
  /** With buffer pools (and the watcher on): sub-minute hints that start a watcher pass at once. */
  readonly clusterHints?: ClusterHints;
  readonly healTriggers: HealTriggers;
  /** Only with a `buffers` section in the config. */
  readonly scaleBuffer?: ScaleBuffer;
  readonly scaleBufferTriggers?: ScaleBufferTriggers;
  /** Only when an entrypoint has an active check. */
  readonly dnsChecks?: DnsChecks;
  /** With a `dns` section in the config only. */
  readonly dnsFailover?: DnsFailover;
  readonly alarms: AlarmTopic;

  constructor(scope: Construct, id: string, props: ShepherdStackProps) {
    super(scope, id, { description: `multicloud-shepherd control plane for cluster ${props.config.cluster.name}`, ...props });
    const { config } = props;

    this.alarms = new AlarmTopic(this, 'Alarms', { topicName: physicalName(config.cluster.name, 'alarms', 'topic'), email: config.alarms?.email });
    this.alarms.notifyAllIn(this);
    this.table = new ShepherdTable(this, 'Table');
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: `shepherd-${config.cluster.name}`,
      description: `multicloud-shepherd events of cluster ${config.cluster.name}`,
    });

    const common = { projectRoot: PROJECT_ROOT, config };
    // Which function launches a pool's VMs: validate-input writes it into each slot of the plan (cleanup too).
    const providers = Object.fromEntries(
      providersInUse(config).map((p) => {
        const sizing = p.function ?? DEFAULT_PROVIDER_FUNCTION;
        const id = `Provider${p.name.charAt(0).toUpperCase()}${p.name.slice(1)}`;
        const fn = new ShepherdFunction(this, id, {
          ...common,
          name: `provider-${p.name}`,
          entry: providerEntry(p.name),
          description: `shepherd provider-${p.name}: launches, describes and terminates ${p.name} VMs`,
          permissions: providerPermissions(this, p, config),
          timeout: Duration.seconds(sizing.timeoutSeconds),
          memorySize: sizing.memoryMb,
          alarmedByCallers: true,
        });
        return [p.name, fn];
      }),
    );
    const providerFunctionEnv = Object.fromEntries(Object.entries(providers).map(([name, f]) => [providerFunctionEnvName(name), f.fn.functionArn]));
    this.functions = {
      validate: new ShepherdFunction(this, 'ValidateInput', {
        ...common,
        alarmedByCallers: true,
        name: 'validate-input',
        entry: handlerEntry('validate-input'),
        description: "shepherd validate-input: checks a ProvisionNode or RemoveNode request against the config and the pool's free capacity",
        permissions: validateInputPermissions(this.table.table),
        environment: { TABLE_NAME: this.table.table.tableName, ...providerFunctionEnv },
        timeout: Duration.seconds(20),
      }),
      claims: new ShepherdFunction(this, 'Claims', {
        ...common,
        alarmedByCallers: true,
        name: 'claims',
        entry: handlerEntry('claims'),
        description: 'shepherd claims: capacity claims, node records and audit in DynamoDB',
        permissions: claimsPermissions(this.table.table),
        environment: { TABLE_NAME: this.table.table.tableName },
        timeout: Duration.seconds(20),
      }),
      cluster: new ShepherdFunction(this, 'ClusterNodes', {
        ...common,
        alarmedByCallers: true,
        name: 'cluster-nodes',
        entry: handlerEntry('cluster-nodes'),
        description: 'shepherd cluster-nodes: finds, labels, taints, cordons, drains and removes Kubernetes Nodes',
        permissions: clusterNodesPermissions(config),
        timeout: Duration.seconds(45),
      }),
      cleanup: new ShepherdFunction(this, 'Cleanup', {
        ...common,
        alarmedByCallers: true,
        name: 'claim-cleanup',
        entry: handlerEntry('claim-cleanup'),
        description: 'shepherd claim-cleanup: finds the claims an ended ProvisionNode execution or an expiry left behind',
        permissions: claimsPermissions(this.table.table),
        environment: { TABLE_NAME: this.table.table.tableName, ...providerFunctionEnv },
        timeout: Duration.seconds(45),
      }),
      heal: new ShepherdFunction(this, 'HealNodeFunction', {
        ...common,
        alarmedByCallers: true,
        name: 'heal-node',
        entry: handlerEntry('heal-node'),
        description: 'shepherd heal-node: assesses a node to heal against the safety limits, fences its claim, records each step',
        permissions: healNodePermissions(
          this.table.table,
          this.bus,
          Object.values(providers).map((f) => f.fn),
        ),
        environment: { TABLE_NAME: this.table.table.tableName, EVENT_BUS_NAME: this.bus.eventBusName, ...providerFunctionEnv },
        // Above a provider function's describe (bounded by its own SDK timeouts) and the table calls.
        timeout: Duration.seconds(60),
      }),
      providers,
    };

    this.provisionNode = new ProvisionNodeStateMachine(this, 'ProvisionNode', {
      functions: {
        validate: this.functions.validate.fn,
        claims: this.functions.claims.fn,
        cluster: this.functions.cluster.fn,
        providers: Object.values(providers).map((f) => f.fn),
      },
      provisioning: config.provisioning,
      pools: config.pools
        .filter((p) => providerNamed(p.provider).launchable)
        .map((p) => ({
          max: p.max,
          concurrency: providerNamed(p.provider).launchParallelism(p),
          offerings: providerNamed(p.provider).offerings(p, config).length,
        })),
      clusterName: config.cluster.name,
    });
    this.functions.validate.fn.addEnvironment(EXECUTION_BUDGET_ENV, JSON.stringify(this.provisionNode.budget));

    this.claimCleanup = new ClaimCleanupStateMachine(this, 'ClaimCleanup', {
      functions: {
        cleanup: this.functions.cleanup.fn,
        claims: this.functions.claims.fn,
        cluster: this.functions.cluster.fn,
        providers: Object.values(providers).map((f) => f.fn),
      },
      provisionNode: this.provisionNode.stateMachine,
      clusterName: config.cluster.name,
    });

    this.removeNode = new RemoveNodeStateMachine(this, 'RemoveNode', {
      functions: {
        validate: this.functions.validate.fn,
        claims: this.functions.claims.fn,
        cluster: this.functions.cluster.fn,
        providers: Object.values(providers).map((f) => f.fn),
      },
      clusterName: config.cluster.name,
    });

    this.healNode = new HealNodeStateMachine(this, 'HealNode', {
      functions: {
        validate: this.functions.validate.fn,
        claims: this.functions.claims.fn,
        cluster: this.functions.cluster.fn,
        heal: this.functions.heal.fn,
        providers: Object.values(providers).map((f) => f.fn),
        provisionNode: this.provisionNode.stateMachine,
      },
      clusterName: config.cluster.name,
    });
    new CfnOutput(this, 'HealNodeStateMachineArn', {
      value: this.healNode.stateMachine.stateMachineArn,
      description: 'Start a HealNode execution here',
    });

    new CfnOutput(this, 'RemoveNodeStateMachineArn', {
      value: this.removeNode.stateMachine.stateMachineArn,
      description: 'Start a RemoveNode execution here',
    });

    this.watcher = new ClusterWatcher(this, 'ClusterWatcher', {
      projectRoot: PROJECT_ROOT,
      entry: handlerEntry('cluster-watcher'),
      config,
      table: this.table.table,
      bus: this.bus,
      providerFunctions: Object.fromEntries(Object.entries(providers).map(([name, f]) => [name, f.fn])),
      preemptionsByPolling: providersInUse(config)
        .filter((p) => p.preemptionsByPolling)
        .map((p) => p.name),
      providerFunctionEnv,
    });

    this.healTriggers = new HealTriggers(this, 'HealTriggers', {
      projectRoot: PROJECT_ROOT,
      entries: { intake: handlerEntry('heal-intake'), orphans: handlerEntry('orphan-collector') },
      config,
      table: this.table.table,
      bus: this.bus,
      providerFunctions: Object.fromEntries(Object.entries(providers).map(([name, f]) => [name, f.fn])),
      providerFunctionEnv,
      healNodeArn: this.healNode.stateMachine.stateMachineArn,
    });

    if (config.buffers) {
      this.scaleBuffer = new ScaleBuffer(this, 'ScaleBuffer', {
        projectRoot: PROJECT_ROOT,
        entry: handlerEntry('scale-buffer'),
        config,
        table: this.table.table,
        bus: this.bus,
        provisionNode: this.provisionNode.stateMachine,
        removeNode: this.removeNode.stateMachine,
      });
      if (config.watcher.enabled) {
        this.clusterHints = new ClusterHints(this, 'ClusterHints', {
          projectRoot: PROJECT_ROOT,
          entry: handlerEntry('cluster-hints'),
          config,
          table: this.table.table,
          watcher: this.watcher.function.fn,
        });
      }
      this.scaleBufferTriggers = new ScaleBufferTriggers(this, 'ScaleBufferTriggers', {
        projectRoot: PROJECT_ROOT,
        entry: handlerEntry('scale-buffer-intake'),
        config,
        bus: this.bus,
        scaleBuffer: this.scaleBuffer.stateMachine,
        scaleBufferFunction: this.scaleBuffer.fn.fn,
      });
      new CfnOutput(this, 'ScaleBufferStateMachineArn', {
        value: this.scaleBuffer.stateMachine.stateMachineArn,
        description: 'Start a ScaleBuffer execution here',
      });
    }

    if (config.dns?.entrypoints.some((e) => e.check)) {
      this.dnsChecks = new DnsChecks(this, 'DnsChecks', {
        projectRoot: PROJECT_ROOT,
        entry: handlerEntry('dns-checks'),
        config,
        table: this.table.table,
        bus: this.bus,
      });
    }

    if (config.dns) {
      this.dnsFailover = new DnsFailover(this, 'DnsFailover', {
        projectRoot: PROJECT_ROOT,
        entry: handlerEntry('dns-failover'),
        config,
        table: this.table.table,
        bus: this.bus,
      });
      new CfnOutput(this, 'DnsFailoverStateMachineArn', {
        value: this.dnsFailover.stateMachine.stateMachineArn,
        description: 'Start a DnsFailover execution here',
      });
    }

    new CfnOutput(this, 'ProvisionNodeStateMachineArn', {
      value: this.provisionNode.stateMachine.stateMachineArn,
      description: 'Start a ProvisionNode execution here',
    });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'Every alarm notifies this topic; subscribe to it' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'Claims, node records and audit items' });
  }
}
