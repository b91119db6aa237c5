/**
 * Import settings from a JSON file (`--settings FILE`): any subset of the
 * settings, laid over the defaults of R-IMP-2, checked with the io-ts codec.
 * Errors name the file and the field (and line and column for bad JSON), never values.
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { defaultImportSettings, ImportLimits, ImportSettings } from '../settings.js';

/** Why a settings file was not accepted. */
export interface SettingsFileError {
  readonly _tag: 'SettingsFileError';
  readonly file: string;
  /** The dotted path of the field at fault, or null when the file is not JSON at all. */
  readonly field: string | null;
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string;
}

const fail = (file: string, field: string | null, message: string, at: { line: number; column: number } | null = null): E.Either<SettingsFileError, never> =>
  E.left({ _tag: 'SettingsFileError', file, field, line: at?.line ?? null, column: at?.column ?? null, message });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const KNOWN: Readonly<Record<string, ReadonlyArray<string> | null>> = {
  preAdmissions: null,
  groups: null,
  email: null,
  mobile: null,
  contacts: ['priorityOne', 'otherPriorities', 'parentalResponsibility'],
  notifyNewOrChangedDetails: null,
  exceptions: null,
  limits: Object.keys(ImportLimits.props),
  massChangeThreshold: null,
};

const lineColumn = (text: string, offset: number): { line: number; column: number } => {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
};

// V8 says where in one of three ways; the text it quotes is used only to find the place, never shown.
const positionOf = (text: string, message: string): { line: number; column: number } | null => {
  const at = /position (\d+)/.exec(message);
  if (at !== null) return lineColumn(text, Number(at[1]));
  if (/Unexpected end of JSON input/.test(message)) return lineColumn(text, text.length);
  const quoted = /Unexpected token '([\s\S])', (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON/.exec(message);
  if (quoted !== null) {
    const start = text.indexOf(quoted[2]!);
    if (start >= 0) return lineColumn(text, start + Math.max(0, quoted[2]!.indexOf(quoted[1]!)));
  }
  return null;
};

const describeErrors = (errors: t.Errors): { field: string; expected: string } => {
  const e = errors[0]!;
  // An intersection's members show in the context as keys "0", "1" under it: they are not fields.
  const field = e.context
    .filter((c, i) => c.key !== '' && !(i > 0 && (e.context[i - 1]!.type as { _tag?: string })._tag === 'IntersectionType'))
    .map((c) => c.key)
    .join('.');
  return { field: field || '(root)', expected: e.context[e.context.length - 1]?.type.name ?? 'value' };
};

/** Parses the text of a settings file into import settings. */
export const parseImportSettings = (text: string, file: string): E.Either<SettingsFileError, ImportSettings> => {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    // V8's message quotes the text around the fault; only the position is kept.
    return fail(file, null, `${file} is not valid JSON`, positionOf(text, e instanceof Error ? e.message : ''));
  }
  if (!isObject(raw)) return fail(file, '(root)', `${file} must hold a JSON object of settings`);
  for (const [key, value] of Object.entries(raw)) {
    const sub = KNOWN[key];
    if (sub === undefined) return fail(file, key, `${file}: "${key}" is not an import setting (known: ${Object.keys(KNOWN).join(', ')})`);
    if (sub !== null && isObject(value)) {
      for (const k of Object.keys(value)) if (!sub.includes(k)) return fail(file, `${key}.${k}`, `${file}: "${key}.${k}" is not an import setting (known: ${sub.join(', ')})`);
    }
  }
  const contacts = isObject(raw['contacts']) ? { ...defaultImportSettings.contacts, ...raw['contacts'] } : (raw['contacts'] ?? defaultImportSettings.contacts);
  const merged = { ...defaultImportSettings, ...raw, contacts };
  const decoded = ImportSettings.decode(merged);
  if (E.isLeft(decoded)) {
    const { field, expected } = describeErrors(decoded.left);
    return fail(file, field, `${file}: "${field}" must be ${expected}`);
  }
  return E.right(decoded.right);
};
