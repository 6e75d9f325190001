import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the bundles (an esbuild alias in
 * infra/bundling/function-bundling.ts). Every AWS SDK client's Node runtime config imports that default chain
 * statically (environment, SSO, INI profiles, process, web identity, ECS/IMDS), about 120 KB of a bundle that a Lambda
 * never runs: Lambda puts the execution role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN ("Defined runtime environment variables", AWS Lambda developer guide), the first link of that
 * chain. The local control plane sets the same variables. Without them a client fails with the SDK's own
 * CredentialsProviderError.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
