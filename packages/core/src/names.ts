/** People's names as the office types and matches them: one normal form for look-ups and identity (R-LNK). */
import type { PersonName } from './events/common.js';

// Titles a name may carry in an export or a search box; they say nothing about who the person is.
const TITLES: ReadonlySet<string> = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'professor', 'rev', 'revd', 'reverend', 'sir', 'dame', 'lady', 'lord', 'fr', 'sr', 'capt', 'col', 'maj', 'lt']);

/** Words of a name: accents, case, punctuation and spacing dropped ("Dr  Zoë O'Neil-Smith" -> dr zoe oneil smith). */
const words = (text: string): string[] =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’`.]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');

/** A free text as a name's normal form: words as `words`, titles dropped, joined by one space. */
export const normaliseNameText = (text: string): string => {
  const ws = words(text);
  // Only a leading title goes ("Mr Smith"), never a name that happens to be one ("Lord" as a surname is kept).
  while (ws.length > 1 && TITLES.has(ws[0]!)) ws.shift();
  return ws.join(' ');
};

/** A person's name in normal form, given then family: the key two records must share to be one person. */
export const normalisedName = (name: PersonName): string => normaliseNameText(`${name.given} ${name.family}`);

/** The sort key of a name for lists: family then given, in normal form. */
export const nameSortKey = (name: PersonName): string => `${normaliseNameText(name.family)}\u0000${normaliseNameText(name.given)}`;
