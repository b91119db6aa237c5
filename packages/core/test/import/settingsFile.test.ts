/** `--settings FILE`: JSON over the defaults, checked field by field. */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { defaultImportSettings, parseImportSettings } from '@contactable/core';

describe('parseImportSettings', () => {
  it('R-IMP-2 an empty object gives the defaults', () => {
    expect(parseImportSettings('{}', 's.json')).toEqual(E.right(defaultImportSettings));
  });
  it('R-IMP-2 lays a partial contacts rule over the defaults', () => {
    const r = parseImportSettings('{"preAdmissions": true, "contacts": {"otherPriorities": {"import": true, "prime": false}}}', 's.json');
    expect(E.isRight(r) && r.right.contacts).toEqual({ ...defaultImportSettings.contacts, otherPriorities: { import: true, prime: false } });
    expect(E.isRight(r) && r.right.preAdmissions).toBe(true);
  });
  it('names the field of a wrong type', () => {
    const r = parseImportSettings('{"groups": "some"}', 's.json');
    expect(E.isLeft(r) && r.left).toMatchObject({ file: 's.json', field: 'groups' });
  });
  it('names a nested field of a wrong type', () => {
    const r = parseImportSettings('{"contacts": {"priorityOne": {"import": "yes", "prime": true}}}', 's.json');
    expect(E.isLeft(r) && r.left.field).toBe('contacts.priorityOne.import');
  });
  it('refuses an unknown setting by name', () => {
    const r = parseImportSettings('{"preadmissions": true}', 's.json');
    expect(E.isLeft(r) && r.left.field).toBe('preadmissions');
  });
  it('gives line and column of bad JSON without quoting it', () => {
    const r = parseImportSettings('{\n  "email": true,\n  "mobile": secret-value\n}', 's.json');
    expect(E.isLeft(r) && r.left.line).toBe(3);
    expect(E.isLeft(r) && r.left.message).not.toContain('secret');
  });
});

describe('loadImportSettings', () => {
  it('R-IMP-2 gives the defaults, then what the school stream says', async () => {
    const { memoryStore, fixedClock, sequentialIds, handleCommand, schoolDecider, schoolStream, loadImportSettings } = await import('@contactable/core');
    const store = memoryStore();
    expect(await loadImportSettings(store, 's1')).toEqual(E.right(defaultImportSettings));
    const settings = { ...defaultImportSettings, preAdmissions: true };
    await handleCommand({ store, clock: fixedClock('2026-09-01T06:00:00.000Z'), ids: sequentialIds() }, schoolDecider, schoolStream('s1'), { type: 'ChangeImportSettings', settings }, { schoolId: 's1', actor: { kind: 'person', name: 'Office' } });
    expect(await loadImportSettings(store, 's1')).toEqual(E.right(settings));
  });
});
