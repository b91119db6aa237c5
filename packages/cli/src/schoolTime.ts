/** Times as a school office reads them: wall-clock time in the school's zone, labelled (BST or GMT in Europe/London). */
import { DEFAULT_TIME_ZONE, type TimeZone } from '@contactable/core';
import { formatInstant } from '@contactable/projections';

/** "1 Sep 2026, 10:00 BST" in Europe/London (GMT in winter), or in the zone given; an unreadable instant is returned as it is. */
export const schoolTime = (instant: string, zone: TimeZone = DEFAULT_TIME_ZONE): string => (Number.isNaN(Date.parse(instant)) ? instant : formatInstant(instant, zone));
