// The check-in log and the event log as CSV for a spreadsheet. Every cell that a spreadsheet would run
// as a formula is quoted with a leading apostrophe (CSV injection): names are typed by people and ids
// once came from files, so no column is trusted to be harmless.
import type { AppEvent, CheckIn } from '../../../core/contract/api';

function cell(value: string): string {
  // A plain number (a negative score) stays a number; anything else starting like a formula is text.
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function checkinsCsv(rows: readonly CheckIn[]): string {
  const lines = ['time,identity_id,name,score,repeat'];
  for (const r of rows) {
    lines.push([new Date(r.at).toISOString(), r.identityId, r.name, r.score.toFixed(4), r.repeat ? 'yes' : 'no'].map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export function eventsCsv(events: readonly AppEvent[]): string {
  const lines = ['time,kind,identity_id,name,decision,score,detail'];
  for (const e of events) {
    lines.push([new Date(e.at).toISOString(), e.kind, e.identityId ?? '', e.name ?? '', e.decision ?? '', e.score === null ? '' : e.score.toFixed(4), JSON.stringify(e.detail)].map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
