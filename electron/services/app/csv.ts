// The check-in log and the event log as CSV for a spreadsheet. Cells that a spreadsheet would run as a
// formula are quoted with a leading apostrophe (CSV injection), since names are typed by people.
import type { AppEvent, CheckIn } from '../../../core/contract/api';

function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function checkinsCsv(rows: readonly CheckIn[]): string {
  const lines = ['time,identity_id,name,score,repeat'];
  for (const r of rows) {
    lines.push([new Date(r.at).toISOString(), r.identityId, cell(r.name), r.score.toFixed(4), r.repeat ? 'yes' : 'no'].join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export function eventsCsv(events: readonly AppEvent[]): string {
  const lines = ['time,kind,identity_id,name,decision,score,detail'];
  for (const e of events) {
    lines.push([new Date(e.at).toISOString(), e.kind, e.identityId ?? '', cell(e.name ?? ''), e.decision ?? '', e.score === null ? '' : e.score.toFixed(4), cell(JSON.stringify(e.detail))].join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
