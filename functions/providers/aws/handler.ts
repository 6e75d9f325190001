import { providerHandler } from '../handler.js';
import { Ec2Provider } from './client.js';
import { awsProvider } from './descriptor.js';

export const handler = providerHandler(awsProvider, (config) => new Ec2Provider(config));
