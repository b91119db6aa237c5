/** Which links, emails and mobiles an import brings across (R-IMP-2, R-IMP-3, R-IMP-4, R-CON-1). */
import { emailDetail, mobileDetail } from '../details.js';
import type { Detail } from '../events/common.js';
import type { ImportSettings } from '../settings.js';
import type { LocatedDetail, MisLink, PhoneRegion } from './snapshot.js';

/** Whether a link comes across, and whether it is flagged prime. */
export interface LinkSelection {
  readonly import: boolean;
  readonly prime: boolean;
}

/**
 * R-IMP-2: priority-1 contacts by default (flagged prime); other priorities and anyone
 * with parental responsibility when the settings say so, each with its own prime choice.
 * A link that several rules select is prime when any selecting rule says prime.
 */
export const selectLink = (link: Pick<MisLink, 'priority' | 'parentalResponsibility'>, settings: ImportSettings): LinkSelection => {
  const { priorityOne, otherPriorities, parentalResponsibility } = settings.contacts;
  const rules = [
    link.priority === 1 ? priorityOne : null,
    link.priority !== 1 ? otherPriorities : null,
    link.parentalResponsibility ? parentalResponsibility : null,
  ].filter((r): r is { import: boolean; prime: boolean } => r !== null && r.import);
  return { import: rules.length > 0, prime: rules.some((r) => r.prime) };
};

const EMAIL_LOCATIONS = new Set(['home', 'work']);
const MOBILE_LOCATIONS = new Set(['mobile']);

// The first well-formed detail in MIS order; failing that the first badly formed one, kept so a data issue shows (R-CON-1).
const firstUsable = (details: ReadonlyArray<Detail>): Detail | null => details.find((d) => d.valid) ?? details[0] ?? null;

/**
 * R-IMP-3: the email address to import — only a Home or Work location counts; null when email is off.
 * `held` is the detail held now (with no local override): the same address at the same location is that detail.
 */
export const chooseEmail = (emails: ReadonlyArray<LocatedDetail>, settings: ImportSettings, held: Detail | null = null): Detail | null =>
  settings.email
    ? firstUsable(
        emails
          .filter((e) => EMAIL_LOCATIONS.has(e.location.trim().toLowerCase()) && e.value.trim() !== '')
          .map((e) => {
            const location = canonicalLocation(e.location);
            return held !== null && held.location === location && held.value === e.value.trim() ? held : emailDetail(e.value, location);
          }),
      )
    : null;

/**
 * R-IMP-4: the mobile number to import — only a Mobile location counts; null when mobile is off.
 * `held` is the detail held now: a plain UK number whose obvious E.164 form is the valid number
 * held is that number, so the costly full parse is skipped on an unchanged sync.
 */
export const chooseMobile = (phones: ReadonlyArray<LocatedDetail>, settings: ImportSettings, region: PhoneRegion, held: Detail | null = null): Detail | null =>
  settings.mobile
    ? firstUsable(
        phones
          .filter((p) => MOBILE_LOCATIONS.has(p.location.trim().toLowerCase()) && p.value.trim() !== '')
          .map((p) => {
            const location = canonicalLocation(p.location);
            return held !== null && held.valid && held.location === location && region === 'GB' && quickGb(p.value) === held.value ? held : mobileDetail(p.value, location, region);
          }),
      )
    : null;

// 07xxx xxxxxx or +44 7xxx xxxxxx, spaces and dashes allowed, to E.164; null for anything else.
const quickGb = (raw: string): string | null => {
  const digits = raw.replace(/[\s-]/g, '');
  if (/^07\d{9}$/.test(digits)) return `+44${digits.slice(1)}`;
  if (/^\+447\d{9}$/.test(digits)) return digits;
  return null;
};

/** `home`, ` HOME ` and `Home` are one location. */
export const canonicalLocation = (location: string): string => {
  const l = location.trim().toLowerCase();
  return l.length === 0 ? l : l[0]!.toUpperCase() + l.slice(1);
};
