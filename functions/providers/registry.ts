import type { z } from 'zod';
import { awsConfigSchema } from './aws/config.js';
import { awsProvider } from './aws/descriptor.js';
import { fakeConfigSchema } from './fake/config.js';
import { fakeProvider } from './fake/descriptor.js';
import { gcpConfigSchema } from './gcp/config.js';
import { gcpProvider } from './gcp/descriptor.js';
import { homeProvider } from './home/descriptor.js';
import { scalewayConfigSchema } from './scaleway/config.js';
import { scalewayProvider } from './scaleway/descriptor.js';
import type { ProviderDescriptor, RegisteredProvider } from './types.js';

function provider<N extends string, S extends z.ZodType | undefined = undefined>(
  descriptor: ProviderDescriptor<N>,
  configSchema?: S,
): RegisteredProvider<N, S> {
  return { ...descriptor, configSchema: configSchema as S };
}

/** Every provider shepherd knows. Adding one: its module under functions/providers/<name>/ and one line here. */
export const PROVIDERS = [
  provider(awsProvider, awsConfigSchema),
  provider(gcpProvider, gcpConfigSchema),
  provider(scalewayProvider, scalewayConfigSchema),
  provider(homeProvider),
  provider(fakeProvider, fakeConfigSchema),
] as const;

export type ProviderName = (typeof PROVIDERS)[number]['name'];
export const PROVIDER_NAMES = PROVIDERS.map((p) => p.name) as [ProviderName, ...ProviderName[]];

export function providerNamed(name: string): RegisteredProvider {
  const found = PROVIDERS.find((p) => p.name === name);
  if (!found) throw new Error(`no provider named ${JSON.stringify(name)}; providers: ${PROVIDER_NAMES.join(', ')}`);
  return found as RegisteredProvider;
}

/** The providers whose machines shepherd creates, each of which gets its own function. */
export function launchableProviders(): ProviderDescriptor[] {
  return PROVIDERS.filter((p) => p.launchable) as ProviderDescriptor[];
}
