/** Events of a school's stream (`school-<id>`): settings and saved filters. */
import * as t from 'io-ts';
import { DataIssueFilter, ImportSettings } from '../settings.js';
import { defineEvent, type EventOf } from './define.js';

/** The school changed its import settings (R-IMP-2). */
export const ImportSettingsChanged = defineEvent('ImportSettingsChanged', t.type({ settings: ImportSettings }));
/** A data-issues filter was saved under a name (R-DSH-3). */
export const DataIssueFilterSaved = defineEvent('DataIssueFilterSaved', t.type({ name: t.string, filter: DataIssueFilter }));
/** A saved data-issues filter was removed. */
export const DataIssueFilterRemoved = defineEvent('DataIssueFilterRemoved', t.type({ name: t.string }));

/** Every school event definition. */
export const schoolEvents = [ImportSettingsChanged, DataIssueFilterSaved, DataIssueFilterRemoved] as const;
/** An event of a school's stream. */
export type SchoolEvent = EventOf<(typeof schoolEvents)[number]>;
