import { awsProvider } from './aws/descriptor.js';
import { fakeProvider } from './fake/descriptor.js';
import { gcpProvider } from './gcp/descriptor.js';
import { homeProvider } from './home/descriptor.js';
import { scalewayProvider } from './scaleway/descriptor.js';
import type { ProviderDescriptor } from './types.js';

/** Every provider shepherd knows. Adding one: its module under functions/providers/<name>/ and one line here. */
export const PROVIDERS = [awsProvider, gcpProvider, scalewayProvider, homeProvider, fakeProvider] as const;

export type ProviderName = (typeof PROVIDERS)[number]['name'];
export const PROVIDER_NAMES = PROVIDERS.map((p) => p.name) as [ProviderName, ...ProviderName[]];

export function providerNamed(name: string): ProviderDescriptor {
  const found = PROVIDERS.find((p) => p.name === name);
  if (!found) throw new Error(`no provider named ${JSON.stringify(name)}; providers: ${PROVIDER_NAMES.join(', ')}`);
  return found as ProviderDescriptor;
}

/** The providers whose machines shepherd creates, each of which gets its own function. */
export function launchableProviders(): ProviderDescriptor[] {
  return PROVIDERS.filter((p) => p.launchable) as ProviderDescriptor[];
}
