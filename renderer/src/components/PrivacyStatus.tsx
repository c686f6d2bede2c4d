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

/**
 * Says nothing for an intact log; names the first altered entry otherwise. The app keeps running. A
 * restore rewinds the log, so it is always said, with the entries it discarded.
 */
export function EventLogNotice({ info, quietWhenIntact = true }: { info: AppInfo | null; quietWhenIntact?: boolean }) {
  const log = info?.eventLog;
  if (!log) return null;
  const restored = log.restored ? <span data-testid="event-log-restored"> {log.restored.message}</span> : null;
  if (log.intact) {
    if (quietWhenIntact && !restored) return null;
    return <Notice kind="info" testId="event-log">The event log's {log.entries} entries are sealed and chained; none was altered outside the app.{restored}</Notice>;
  }
  return (
    <Notice kind="warning" testId="event-log">
      <strong>The event log was altered outside the app. </strong>
      {log.message}
      {restored}
    </Notice>
  );
}

/** Every problem the database has (a failed automatic backup, backups in plain text...), one warning each. */
export function StoreProblemsNotice({ info }: { info: AppInfo | null }) {
  const problems = info?.storeProblems ?? [];
  if (problems.length === 0) return null;
  return (
    <>
      {problems.map((p) => (
        <Notice key={p.kind} kind="warning" testId={`store-problem-${p.kind}`}>
          {p.message}
        </Notice>
      ))}
    </>
  );
}
