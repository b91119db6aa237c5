/**
 * Our own provider payloads (test/fixtures), written by hand in the shapes the providers send:
 * SendGrid Event Webhook arrays, SES events (the SNS Message), and SES events in their SNS envelope.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the fixtures live: this package's `test/fixtures/`. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Reads a fixture as text. */
export const fixtureText = (path: string): string => readFileSync(`${FIXTURES}${path}`, 'utf8');

/** Reads a fixture as JSON. */
export const fixtureJson = <T = unknown>(path: string): T => JSON.parse(fixtureText(path)) as T;
