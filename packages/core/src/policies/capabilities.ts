/** What a linked contact may do for a member (R-LNK-2, R-LNK-3). */
import type { MemberRecord } from '../deciders/member.js';
import type { Link } from '../events/common.js';

/** The parent-facing capabilities of one link. */
export interface Capabilities {
  readonly giveConsent: boolean;
  readonly seeReporting: boolean;
  readonly bookClubs: boolean;
  readonly seeClubBalances: boolean;
  readonly bookDinners: boolean;
  readonly seeDinnerBalances: boolean;
  readonly makePayments: boolean;
}

/**
 * Only parental responsibility gives consent, bookings, balances and reporting (R-LNK-2);
 * for a pre-admission, no dinner bookings or dinner balances, but clubs and payments are fine (R-LNK-3).
 */
export const capabilities = (member: Pick<MemberRecord, 'enrolment'>, link: Link): Capabilities => {
  const pr = link.parentalResponsibility;
  const preAdmission = member.enrolment.status === 'pre-admission';
  return {
    giveConsent: pr,
    seeReporting: pr,
    bookClubs: pr,
    seeClubBalances: pr,
    bookDinners: pr && !preAdmission,
    seeDinnerBalances: pr && !preAdmission,
    makePayments: pr,
  };
};
