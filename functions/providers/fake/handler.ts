import { getSecret } from '../../runtime/secrets.js';
import { providerHandler } from '../handler.js';
import { FakeProvider, KubeApiKubelet } from './client.js';
import { fakeProvider } from './descriptor.js';

export const handler = providerHandler(
  fakeProvider,
  (config) => new FakeProvider(config, new KubeApiKubelet(() => getSecret(config.cluster.kubeconfigSecretArn), config.cluster.kubeconfigSecretArn)),
);
