/** Times as a school office reads them: Europe/London wall-clock time, with BST or GMT said. */
import { formatInstant } from '@contactable/projections';

/** "1 Sep 2026, 10:00 BST" (or GMT in winter); an unreadable instant is returned as it is. */
export const londonTime = (instant: string): string => (Number.isNaN(Date.parse(instant)) ? instant : formatInstant(instant, 'Europe/London'));
