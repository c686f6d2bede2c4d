// The log's date filter: two <input type="date"> values (local days) to the epoch-millisecond range
// checkins.list takes. Either end may be empty (open range).

export interface DayRange {
  from?: number;
  to?: number;
}

function localDay(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** From the start of the first day to the last millisecond of the last day, local time. */
export function dayRange(fromDay: string, toDay: string): DayRange | string {
  const from = fromDay ? localDay(fromDay) : null;
  const to = toDay ? localDay(toDay) : null;
  if (fromDay && !from) return `"${fromDay}" is not a date; pick one from the calendar.`;
  if (toDay && !to) return `"${toDay}" is not a date; pick one from the calendar.`;
  const end = to ? new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1).getTime() - 1 : undefined;
  if (from && end !== undefined && from.getTime() > end) return 'The first day is after the last day: swap them.';
  return { ...(from ? { from: from.getTime() } : {}), ...(end !== undefined ? { to: end } : {}) };
}

/** YYYY-MM-DD of a local day, for the inputs' values. */
export function dayValue(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
