// What protects the data here, said plainly: how the database key is kept (a weak fallback is a
// warning, not a footnote) and whether the event log's MAC chain held (from which entry it was altered).
import type { AppInfo } from '../api/client';
import { Notice } from './Notice';

/** The key custody line: a warning when the key is only obscured (Linux basic_text) or unknown. */
export function KeyCustodyNotice({ info }: { info: AppInfo | null }) {
  if (!info?.keyCustody) return null;
  const { protection, summary } = info.keyCustody;
  return (
    <Notice kind={protection === 'weak' ? 'warning' : 'info'} testId="key-custody">
      {protection === 'weak' ? <strong>The database key is weakly protected. </strong> : null}
      {summary}
    </Notice>
  );
}

/** Says nothing for an intact log; names the first altered entry otherwise. The app keeps running. */
export function EventLogNotice({ info, quietWhenIntact = true }: { info: AppInfo | null; quietWhenIntact?: boolean }) {
  const log = info?.eventLog;
  if (!log) return null;
  if (log.intact) {
    return quietWhenIntact ? null : <Notice kind="info" testId="event-log">The event log's {log.entries} entries are sealed and chained; none was altered.</Notice>;
  }
  return (
    <Notice kind="warning" testId="event-log">
      <strong>The event log was altered outside the app. </strong>
      {log.message}
    </Notice>
  );
}

/** The database's problems (automatic backup failed, fleet rows set aside...), one warning each. */
export function StoreProblemsNotice({ info }: { info: AppInfo | null }) {
  if (!info?.storeProblems?.length) return null;
  return (
    <>
      {info.storeProblems.map((p) => (
        <Notice key={p.kind} kind="warning" testId={`store-problem-${p.kind}`}>{p.message}</Notice>
      ))}
    </>
  );
}
