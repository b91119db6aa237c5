/** Loading a package we do not depend on (an optional peer) only when a URL asks for it. */
import { StoreError } from './errors.js';

/**
 * Imports `specifier` for the store at `url`; when it is not installed, throws a StoreError saying which
 * package to install (any other failure while loading it is reported as it is, URL masked).
 */
export const loadOptional = async <M>(specifier: string, url: string, what: string): Promise<M> => {
  try {
    // A variable specifier: the compiler must not follow it (the package depends on this one, not the reverse).
    return (await import(specifier)) as M;
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    const message = e instanceof Error ? e.message : String(e);
    // The package itself is missing, not one of its own dependencies ('pg-pool' is not 'pg').
    const named = new RegExp(`(^|[\\s'"(])${specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}([\\s'")]|$)`).test(message);
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (package|module)/.test(message)) && named) {
      throw new StoreError(url, `${what} needs the package ${specifier}, which is not installed: add it next to @contactable/adapters-store (npm install ${specifier})`);
    }
    throw new StoreError(url, `loading ${specifier} failed: ${message.split('\n')[0] ?? ''}`);
  }
};
