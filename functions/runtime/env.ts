/** An environment variable the stack sets on the function; its absence is a deployment error, named as such. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the stack gives it to this function`);
  return value;
}
