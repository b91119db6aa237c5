/** Times as a school office reads them: Europe/London wall-clock time, with BST or GMT said. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

// Numeric parts only (ICU's month abbreviations differ between versions: "Sep", "Sept").
const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'numeric',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** "1 Sep 2026, 10:00 BST" (or GMT in winter); an unreadable instant is returned as it is. */
export const londonTime = (instant: string): string => {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return instant;
  const p = Object.fromEntries(parts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  // ICU names London's zones GMT and BST in en-GB; anything else (an old ICU: "GMT+1") is said as an offset.
  const zone = p['timeZoneName'] === 'GMT+1' ? 'BST' : (p['timeZoneName'] ?? '');
  return `${Number(p['day'])} ${MONTHS[Number(p['month']) - 1]} ${p['year']}, ${p['hour']}:${p['minute']} ${zone}`.trim();
};
