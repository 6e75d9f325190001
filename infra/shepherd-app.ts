import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { ShepherdConfig } from '../config/types.js';
import { ShepherdStack } from './shepherd-stack.js';

/** Context keys that place the stack; without them it is environment-agnostic (synth never looks anything up). */
export const ACCOUNT_CONTEXT = 'shepherd:account';
export const REGION_CONTEXT = 'shepherd:region';

export interface ShepherdApp {
  readonly app: App;
  readonly stack: ShepherdStack;
}

/**
 * The CDK app for one validated config: the stack, deployed to the account from context `shepherd:account` (if
 * any) and the region from context `shepherd:region`, else the config's AWS region; cdk-nag's AwsSolutions checks
 * run as a policy-validation plugin, so synthesis fails on any finding not acknowledged with a reason.
 */
export function createShepherdApp(config: ShepherdConfig, appProps: AppProps = {}): ShepherdApp {
  const app = new App(appProps);
  const account: string | undefined = app.node.tryGetContext(ACCOUNT_CONTEXT);
  const region: string | undefined = app.node.tryGetContext(REGION_CONTEXT) ?? config.providers.aws?.region;
  const stack = new ShepherdStack(app, `shepherd-${config.cluster.name}`, { config, env: { account, region } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
