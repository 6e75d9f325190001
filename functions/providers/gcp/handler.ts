import { providerHandler } from '../handler.js';
import { GceProvider } from './client.js';
import { gcpProvider } from './descriptor.js';

export const handler = providerHandler(gcpProvider, (config) => new GceProvider(config));
