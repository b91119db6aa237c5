/** Dates as exports write them: ISO (2026-09-03, with or without a time) or UK day/month/year (03/09/2026). */
import { failWith } from './errors.js';
import type { Where } from './errors.js';

const valid = (y: number, m: number, d: number): boolean => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};
const pad = (n: number): string => String(n).padStart(2, '0');

/** A date as YYYY-MM-DD, or null when the cell is empty; anything else is a typed error (the value is not repeated). */
export const parseDate = (raw: string, file: string, where: Where): string | null => {
  const s = raw.trim();
  if (s === '') return null;
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(s);
  if (m !== null && valid(+m[1]!, +m[2]!, +m[3]!)) return `${m[1]}-${m[2]}-${m[3]}`;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (m !== null && valid(+m[3]!, +m[2]!, +m[1]!)) return `${m[3]}-${pad(+m[2]!)}-${pad(+m[1]!)}`;
  return failWith('invalid-value', file, where, 'is not a date (expected dd/mm/yyyy or yyyy-mm-dd)');
};

/** A date in UK form, as SIMS reports write it. */
export const ukDate = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
