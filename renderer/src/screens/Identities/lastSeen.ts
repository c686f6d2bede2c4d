// "Last seen": the latest moment the camera recognised a person — an accepted login or a check-in.
// Read from the event log (newest first), since identities carry no such field.
import { api } from '../../api/client';

export async function lastSeenById(): Promise<Map<string, number>> {
  const [checkins, verifies] = await Promise.all([api.events.list({ kind: 'checkin', limit: 10_000 }), api.events.list({ kind: 'verify', limit: 10_000 })]);
  const seen = new Map<string, number>();
  for (const e of [...checkins, ...verifies.filter((v) => v.decision === 'accept')]) {
    if (e.identityId && e.at > (seen.get(e.identityId) ?? 0)) seen.set(e.identityId, e.at);
  }
  return seen;
}
