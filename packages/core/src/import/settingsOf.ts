/** A school's import settings as its stream holds them (R-IMP-2): the defaults until it changes them. */
import * as E from 'fp-ts/lib/Either.js';
import type { UndecodableEvent } from '../events/catalogue.js';
import { schoolDecider } from '../deciders/school.js';
import { loadStream } from '../handler.js';
import { schoolStream, type SchoolId } from '../ids.js';
import type { ImportSettings } from '../settings.js';
import type { EventStore } from '../store/port.js';

/** Reads the school stream and returns its import settings. */
export const loadImportSettings = async (store: EventStore, schoolId: SchoolId): Promise<E.Either<UndecodableEvent, ImportSettings>> =>
  E.map((loaded: { state: { settings: ImportSettings } }) => loaded.state.settings)(await loadStream(store, schoolDecider, schoolStream(schoolId)));
