/** `data-issues`: the data-issues list, filtered, with named filters saved as events (R-DSH-3). */
import { DataIssueFilter, handleCommand, schoolDecider, schoolStream, type Actor } from '@contactable/core';
import { issueTypeWords, officeText, type DataIssue, type DataIssueRow } from '@contactable/projections';
import { str, type Command } from '../command.js';
import { dateOption, handled, resolveContact, resolveMember, timeIn } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { table } from '../output.js';

const TYPES = Object.keys(DataIssueFilter.props.type.keys);

/** The stable JSON of a data issue, with the names of the people it is about. */
export const issueJson = (i: DataIssue & Partial<Pick<DataIssueRow, 'memberName' | 'misReference' | 'contactName' | 'relatedContactName'>>) => ({
  type: i.type,
  memberId: i.memberId,
  contactId: i.contactId,
  relatedContactId: i.relatedContactId,
  detail: i.detail,
  raisedAt: i.raisedAt,
  memberName: i.memberName ?? null,
  misReference: i.misReference ?? null,
  contactName: i.contactName ?? null,
  relatedContactName: i.relatedContactName ?? null,
});

/** `data-issues [--type T] [--member M] [--contact C] [--from D] [--to D] [--save-filter NAME] [--filter NAME]` */
export const dataIssuesCommand: Command = {
  name: 'data-issues',
  summary: 'The data-issues list; filter it, save a filter under a name, or use a saved one',
  usage: `contactable data-issues [--type ${TYPES.join('|')}] [--member M] [--contact C] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--save-filter NAME] [--filter NAME] [--by NAME]`,
  options: { type: { type: 'string' }, member: { type: 'string' }, contact: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, 'save-filter': { type: 'string' }, filter: { type: 'string' }, by: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const type = str(args, 'type');
    if (type !== undefined && !TYPES.includes(type)) throw usageError(`--type must be one of ${TYPES.join(', ')}`, dataIssuesCommand.usage);
    // Days are the school's (in its zone): an issue raised at 23:30 UTC on a summer evening counts on the next day in London.
    for (const opt of ['from', 'to']) {
      const v = str(args, opt);
      if (v !== undefined) dateOption(v, `--${opt}`);
    }
    const zone = await ctx.zone();
    const views = await ctx.views();
    const filterName = str(args, 'filter');
    let filter: DataIssueFilter = {};
    if (filterName !== undefined) {
      const all = await views.savedFilters();
      const saved = all.find((f) => f.name === filterName);
      if (saved === undefined) throw new CliError(`No saved filter named "${filterName}". Saved: ${all.map((f) => f.name).join(', ') || 'none'}`);
      filter = saved.filter;
    }
    const member = str(args, 'member');
    const contact = str(args, 'contact');
    filter = {
      ...filter,
      ...(type !== undefined ? { type: type as DataIssueFilter['type'] } : {}),
      ...(member !== undefined ? { memberId: await resolveMember(views, member) } : {}),
      ...(contact !== undefined ? { contactId: await resolveContact(views, contact) } : {}),
      ...(str(args, 'from') !== undefined ? { from: str(args, 'from')! } : {}),
      ...(str(args, 'to') !== undefined ? { to: str(args, 'to')! } : {}),
    };
    const saveAs = str(args, 'save-filter');
    if (saveAs !== undefined) {
      const by = str(args, 'by');
      const actor: Actor = by !== undefined ? { kind: 'person', name: by } : { kind: 'system', name: 'contactable cli' };
      handled(await handleCommand(await ctx.deps(), schoolDecider, schoolStream(ctx.schoolId), { type: 'SaveDataIssueFilter', name: saveAs, filter }, { schoolId: ctx.schoolId, actor, reason: 'saved from the data-issues list' }));
      ctx.out.note(`saved filter "${saveAs}"`);
    }
    const list = await views.dataIssues(filter);
    ctx.out.result(list.map(issueJson), () => {
      ctx.out.line(
        table(
          ['issue', 'member', 'linked person', 'what to do', 'raised'],
          list.map((i) => [issueTypeWords(i.type), i.memberName === null ? null : `${i.memberName}${i.misReference === null ? '' : ` (${i.misReference})`}`, i.relatedContactName === null ? i.contactName : `${i.contactName ?? 'someone'} and ${i.relatedContactName}`, officeText(i.detail), timeIn(i.raisedAt, zone)]),
        ),
      );
      ctx.out.line(`\n${list.length} issue(s)`);
    });
  },
};

