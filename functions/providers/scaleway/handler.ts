import { providerHandler } from '../handler.js';
import { ScalewayPoolProvider } from './client.js';
import { scalewayProvider } from './descriptor.js';

export const handler = providerHandler(scalewayProvider, (config) => new ScalewayPoolProvider(config));
