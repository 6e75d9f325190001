import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../../config/load.js';
import { createShepherdApp } from '../../infra/shepherd-app.js';
import type { CfnTemplate } from './template-asl.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The stack's template for the shipped config, synthesized without bundling (the diagrams need no code). */
export function synthesizedTemplate(configFile = join(ROOT, 'shepherd.config.json')): CfnTemplate {
  const context = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context as Record<string, unknown>;
  const { app, stack } = createShepherdApp(loadConfigFile(configFile), { context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
}
