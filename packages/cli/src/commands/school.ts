/** `time-zone`: the school's time zone, which its days and printed times follow (a school-stream setting). */
import { formatInstant } from '@contactable/projections';
import { handleCommand, schoolDecider, schoolStream } from '@contactable/core';
import { str, type Command } from '../command.js';
import { handled, person } from '../context.js';

/** `time-zone [ZONE --by NAME]` */
export const timeZone: Command = {
  name: 'time-zone',
  summary: "Show or set the school's time zone (days on the dashboard, retention, date filters and printed times follow it)",
  usage: 'contactable time-zone [ZONE --by NAME]   (ZONE: an IANA name such as Europe/London, the default)',
  options: { by: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const zone = args.positionals[0];
    let recorded: string[] = [];
    if (zone !== undefined) {
      const actor = person(str(args, 'by'), 'Setting the time zone');
      const r = handled(await handleCommand(await ctx.deps(), schoolDecider, schoolStream(ctx.schoolId), { type: 'SetTimeZone', timeZone: zone.trim() }, { schoolId: ctx.schoolId, actor, reason: 'time zone set' }));
      recorded = r.appended.map((e) => e.type);
    }
    const now = await ctx.zone();
    const json = { timeZone: now, recorded, now: formatInstant(ctx.clock.now(), now) };
    ctx.out.result(json, () => ctx.out.line(`${zone === undefined ? 'Time zone' : recorded.length > 0 ? 'Time zone set' : 'Time zone unchanged'}: ${now} (now ${json.now})`));
  },
};
