/** The environment variable through which the stack tells validate-input the function of provider `name`. */
export function providerFunctionEnvName(name: string): string {
  return `SHEPHERD_PROVIDER_FUNCTION_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The provider -> function map the stack put in this function's environment. */
export function providerFunctionsFromEnv(names: readonly string[], env: Record<string, string | undefined> = process.env): Record<string, string> {
  return Object.fromEntries(names.flatMap((n) => (env[providerFunctionEnvName(n)] ? [[n, env[providerFunctionEnvName(n)] as string]] : [])));
}
