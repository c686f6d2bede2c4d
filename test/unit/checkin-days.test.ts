// The check-in log's day filter: local calendar days to the epoch range checkins.list takes.
import { describe, expect, it } from 'vitest';
import { dayRange, dayValue } from '../../renderer/src/screens/CheckinLog/dateRange';

describe('check-in log day range', () => {
  it('runs from the first day’s midnight to the last millisecond of the last day, local time', () => {
    const r = dayRange('2026-03-01', '2026-03-02');
    expect(r).toEqual({ from: new Date(2026, 2, 1).getTime(), to: new Date(2026, 2, 3).getTime() - 1 });
    expect(dayRange('2026-03-01', '2026-03-01')).toEqual({ from: new Date(2026, 2, 1).getTime(), to: new Date(2026, 2, 2).getTime() - 1 });
  });

  it('leaves an empty end open and explains a wrong range', () => {
    expect(dayRange('', '')).toEqual({});
    expect(dayRange('2026-03-01', '')).toEqual({ from: new Date(2026, 2, 1).getTime() });
    expect(dayRange('2026-03-02', '2026-03-01')).toBe('The first day is after the last day: swap them.');
    expect(dayRange('yesterday', '')).toMatch(/is not a date/);
  });

  it('writes a local day as the date input expects', () => {
    expect(dayValue(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});
