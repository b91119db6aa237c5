/** The shared provider fixtures (other projects' real payloads), read in place when present. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the shared fixtures live: `../shared/fixtures/webhooks` beside the repository. */
export const FIXTURES = fileURLToPath(new URL('../../../../../shared/fixtures/webhooks/', import.meta.url));

/** True when the shared fixtures are there (tests that read them skip, saying why, when not). */
export const fixturesPresent = existsSync(FIXTURES);

/** Why fixture tests are skipped. */
export const FIXTURES_ABSENT = `shared fixtures not found at ${FIXTURES}`;

/** Reads a fixture as text. */
export const fixtureText = (path: string): string => readFileSync(`${FIXTURES}${path}`, 'utf8');

/** Reads a fixture as JSON. */
export const fixtureJson = <T = unknown>(path: string): T => JSON.parse(fixtureText(path)) as T;
