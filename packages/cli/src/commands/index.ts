/**
 * Every `contactable` command, in the order help lists them: a name, a line for help, and where its code
 * is. A command's module (and the packages it needs: the parsers, the providers, the store) is loaded only
 * when that command runs, so `--help` and a quick look start as fast as Node itself allows.
 */
import type { Command } from '../command.js';

/** A command as help lists it, and how to load it. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/** The commands. */
export const commandIndex: ReadonlyArray<CommandEntry> = [
  { name: 'import', summary: 'Sync from an MIS export (CTF XML, SIMS CSV folder, OneRoster folder or zip, address-book CSV); records only change', load: async () => (await import('./importing.js')).importCommand },
  { name: 'members', summary: 'List members with their kind and roll status', load: async () => (await import('./views.js')).members },
  { name: 'linked-people', summary: "A member's linked people: relationship, priority, prime, responsibility, details, usable methods", load: async () => (await import('./views.js')).linkedPeopleCommand },
  { name: 'member', summary: 'Add a member the MIS has no home for, or edit one added by hand', load: async () => (await import('./people.js')).memberCommand },
  { name: 'contact', summary: 'Hand edits of linked people: add, edit, a temporary override, link, unlink, choose the prime parent, delete', load: async () => (await import('./people.js')).contactCommand },
  { name: 'groups', summary: 'The groups, by name: from the MIS and made by the school', load: async () => (await import('./groups.js')).groupsCommand },
  { name: 'group', summary: 'One group and its people; create, edit (rename, add, remove people) or delete a group made by the school', load: async () => (await import('./groups.js')).groupCommand },
  { name: 'dashboard', summary: 'Students with a contactable prime parent, and messages sent in the last 7 days', load: async () => (await import('./views.js')).dashboardCommand },
  { name: 'data-issues', summary: 'The data-issues list; filter it, save a filter under a name, or use a saved one', load: async () => (await import('./dataIssues.js')).dataIssuesCommand },
  { name: 'opt-out', summary: 'Record that a contact does not want messages', load: async () => (await import('./consent.js')).optOut },
  { name: 'opt-in', summary: 'Record that a contact wants messages again (after checking with them)', load: async () => (await import('./consent.js')).optIn },
  { name: 're-enable', summary: 'Lift a block on a channel once you have checked with the contact', load: async () => (await import('./consent.js')).reEnable },
  { name: 'contacts', summary: 'Join two contacts that are one person, or split one that is two people for a member', load: async () => (await import('./identity.js')).contactsCommand },
  { name: 'send', summary: 'Send a message to an audience, only where consent and deliverability allow; report who was skipped, refused, not sent or in doubt', load: async () => (await import('./messaging.js')).send },
  { name: 'send-pending', summary: 'Send the messages waiting in the outbox (confirmations queued without a provider, sends stopped part-way)', load: async () => (await import('./messaging.js')).sendPending },
  { name: 'feedback', summary: 'Ingest one provider callback saved to a file (signature checked unless --unverified)', load: async () => (await import('./messaging.js')).feedback },
  { name: 'leavers', summary: 'Leavers awaiting deletion, members excluded by the settings, and deleted people awaiting anonymisation', load: async () => (await import('./retention.js')).leavers },
  { name: 'delete-leavers', summary: 'Delete chosen leavers (or members excluded by the settings): removes them and their links, and contacts left with no member', load: async () => (await import('./retention.js')).deleteLeavers },
  { name: 'retention', summary: 'Anonymise people deleted 14+ days ago, erase message content past its retention, destroy their keys and re-wrap the rest', load: async () => (await import('./retention.js')).retention },
  { name: 'message-retention', summary: "How many days a message's subject and body are kept before retention erases them (the school's default)", load: async () => (await import('./retention.js')).messageRetention },
  { name: 'keys', summary: 'Back up the per-person keys under a passphrase, restore them, or see where they stand', load: async () => (await import('./keys.js')).keys },
  { name: 'subject-access', summary: 'Everything held on a member or contact (GDPR Art. 15), as JSON and a printable HTML page; recorded with who asked', load: async () => (await import('./subjectAccess.js')).subjectAccess },
  { name: 'audit', summary: 'Every event of a member or contact: when, who, why, what changed (XXXX once erased)', load: async () => (await import('./history.js')).audit },
  { name: 'explain', summary: 'Could this contact be messaged on this channel at that moment, and why (the chain of events)', load: async () => (await import('./history.js')).explain },
  { name: 'replay', summary: 'Rebuild every view from the log (as of an instant); --verify checks the kept views against a fresh fold, byte for byte', load: async () => (await import('./history.js')).replay },
  { name: 'doctor', summary: 'Check the store: events that do not decode, personal data without its key (and keys without data), checkpoints out of step, a lock left by a dead process', load: async () => (await import('./doctor.js')).doctor },
  { name: 'serve', summary: 'Run the staff console (web pages for the office and compliance) and the provider webhooks', load: async () => (await import('./serve.js')).serve },
  { name: 'staff', summary: 'Staff who may sign in to the console: add, list, remove, change a role or a password', load: async () => (await import('./staff.js')).staff },
  { name: 'time-zone', summary: "Show or set the school's time zone (days on the dashboard, retention, date filters and printed times follow it)", load: async () => (await import('./school.js')).timeZone },
  { name: 'generate', summary: 'Write a synthetic school (deterministic from a seed; --day N for the export N days later, with churn)', load: async () => (await import('./importing.js')).generate },
  { name: 'demo', summary: 'Generate a sample school, import it, play a day (bounces, spam, STOP, leaver, re-enable, next-day sync) and show the views', load: async () => (await import('./demo.js')).demo },
];
