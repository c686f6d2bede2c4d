// A message box: errors are announced at once (role=alert), other notices politely (role=status).
import type { ReactNode } from 'react';

export type NoticeKind = 'error' | 'warning' | 'success' | 'info';

export function Notice({ kind = 'info', children, testId }: { kind?: NoticeKind; children: ReactNode; testId?: string }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={testId}>
      {children}
    </div>
  );
}
