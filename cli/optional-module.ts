import { fileURLToPath } from 'node:url';
import { CommandError } from './errors.js';

/**
 * Imports a module that may not exist in this checkout (the local control plane). Only that module being
 * absent becomes a "not available" CommandError; a module that exists but fails to load still throws as is.
 * The specifier is resolved against `base` (the caller's import.meta.url).
 */
export async function importOptional<T>(specifier: string, base: string, what: string): Promise<T> {
  const url = new URL(specifier, base);
  try {
    return (await import(url.href)) as T;
  } catch (err) {
    const missing = fileURLToPath(url).replace(/\.js$/, '');
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && (err as Error).message.includes(`'${missing}.`)) {
      throw new CommandError(`${what} is not available in this installation (${missing}.ts is missing)`);
    }
    throw err;
  }
}
