import { z } from 'zod';

/** `providers.fake`: an in-memory cloud for tests and the template for the next provider. */
export const fakeConfigSchema = z.strictObject({
  region: z.string().min(1).default('fake-1'),
  zones: z
    .array(z.string().min(1))
    .min(1)
    .default(() => ['fake-1a', 'fake-1b']),
});

export type FakeProviderConfig = z.output<typeof fakeConfigSchema>;
