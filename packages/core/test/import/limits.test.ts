/** Import limits in the settings: optional, laid over safe defaults, checked by name; old settings still decode. */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import {
  decodeEvent,
  defaultImportLimits,
  defaultImportSettings,
  fixedClock,
  handleCommand,
  importLimitsOf,
  loadImportSettings,
  memoryStore,
  parseImportSettings,
  schoolDecider,
  schoolStream,
  sequentialIds,
} from '@contactable/core';

describe('import limits in the settings', () => {
  it('R-IMP-2 a settings file without limits gives the default limits', () => {
    const r = parseImportSettings('{"preAdmissions": true}', 's.json');
    expect(E.isRight(r) && r.right.limits).toBeUndefined();
    expect(E.isRight(r) && importLimitsOf(r.right)).toEqual(defaultImportLimits);
  });

  it('R-IMP-2 limits given are laid over the defaults; the settings keep only what was given', () => {
    const r = parseImportSettings('{"limits": {"maxPupils": 4000, "maxNameLength": 100}}', 's.json');
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.limits).toEqual({ maxPupils: 4000, maxNameLength: 100 });
    expect(importLimitsOf(r.right)).toEqual({ ...defaultImportLimits, maxPupils: 4000, maxNameLength: 100 });
  });

  it('names an unknown limit, and a limit that is not a whole number of at least 1', () => {
    const unknown = parseImportSettings('{"limits": {"maxPupil": 4000}}', 's.json');
    expect(E.isLeft(unknown) && unknown.left).toMatchObject({ field: 'limits.maxPupil' });
    for (const bad of ['0', '-5', '2.5', '"many"', '1e300']) {
      const r = parseImportSettings(`{"limits": {"maxRows": ${bad}}}`, 's.json');
      expect(E.isLeft(r) && r.left, bad).toMatchObject({ field: 'limits.maxRows' });
      expect(E.isLeft(r) && r.left.message).toContain('a whole number of at least 1');
    }
    const notObject = parseImportSettings('{"limits": 5}', 's.json');
    expect(E.isLeft(notObject) && notObject.left.field).toBe('limits');
  });

  it('a field of the required settings is still named as before (not through the codec parts)', () => {
    const r = parseImportSettings('{"contacts": {"priorityOne": {"import": "yes", "prime": true}}}', 's.json');
    expect(E.isLeft(r) && r.left.field).toBe('contacts.priorityOne.import');
  });

  it('an ImportSettingsChanged stored before limits existed decodes, and gives the default limits', () => {
    const stored = {
      id: 'e1',
      streamId: 'school-s1',
      version: 0,
      position: 1,
      type: 'ImportSettingsChanged',
      schemaVersion: 1,
      data: { settings: { ...defaultImportSettings, preAdmissions: true } },
      metadata: { occurredAt: '2026-09-01T06:00:00.000Z', actor: { kind: 'person', name: 'Office' }, reason: 'r', correlationId: 'c', causationId: null, schoolId: 's1' },
    };
    const d = decodeEvent(stored);
    if (E.isLeft(d)) throw new Error(d.left.message);
    expect(importLimitsOf((d.right.data as { settings: typeof defaultImportSettings }).settings)).toEqual(defaultImportLimits);
  });

  it('R-IMP-2 limits saved on the school stream come back with the settings', async () => {
    const store = memoryStore();
    const settings = { ...defaultImportSettings, limits: { maxPupils: 1200 } };
    await handleCommand({ store, clock: fixedClock('2026-09-01T06:00:00.000Z'), ids: sequentialIds() }, schoolDecider, schoolStream('s1'), { type: 'ChangeImportSettings', settings }, { schoolId: 's1', actor: { kind: 'person', name: 'Office' } });
    const loaded = await loadImportSettings(store, 's1');
    expect(E.isRight(loaded) && importLimitsOf(loaded.right).maxPupils).toBe(1200);
  });
});
