/** Every `contactable` command, in the order help lists them. */
import type { Command } from '../command.js';
import { optIn, optOut, reEnable } from './consent.js';
import { dataIssuesCommand } from './dataIssues.js';
import { contactsCommand } from './identity.js';
import { demo } from './demo.js';
import { audit, explain, replay } from './history.js';
import { generate, importCommand } from './importing.js';
import { feedback, send, sendPending } from './messaging.js';
import { timeZone } from './school.js';
import { deleteLeavers, leavers, retention } from './retention.js';
import { dashboardCommand, linkedPeopleCommand, members } from './views.js';

/** The commands. */
export const commands: ReadonlyArray<Command> = [
  importCommand,
  members,
  linkedPeopleCommand,
  dashboardCommand,
  dataIssuesCommand,
  optOut,
  optIn,
  reEnable,
  contactsCommand,
  send,
  sendPending,
  feedback,
  leavers,
  deleteLeavers,
  retention,
  audit,
  explain,
  replay,
  timeZone,
  generate,
  demo,
];
