// The in-memory gallery the decisions read: every template of the current face model in the matcher,
// people's names, the accepted run's agents and the local calibration check. One object owns it and
// its reloads, so "the gallery changed" has one way in (reload, reindex, forget) whatever changed it.
import type { DriftStatus, SecurityLevel } from '../../../core/contract/api';
import { TemplateIndex } from '../../../core/matching/templateIndex';
import { fuseProbes } from '../../../core/matching/probe';
import { agentSetFrom, type AgentSet } from '../../../core/matching/identify';
import { StoreError, type Store } from '../store/index';
import type { FleetPerson } from '../store/index';
import type { StoredTemplate } from '../store/types';
import type { CalibrationFile } from '../../../core/matching/calibrationFile';
import { driftStatus, groupedTemplates, levelsCalibration } from './gallery';

/** How long the calibration check waits after changes from the fleet, which come in streams. */
const FLEET_CHECK_AFTER_MS = 10_000;

export interface LiveGalleryDeps {
  modelId: string;
  now(): number;
  log(message: string, error: unknown): void;
  calibration(): CalibrationFile | null;
  /** The security level in force and whether local thresholds are on (read from the settings each time). */
  policy(store: Store): { level: SecurityLevel; localThresholds: boolean };
}

export class LiveGallery {
  matcher = new TemplateIndex({ firstPass: 'int8' });
  /** The agents identify ranks by (the accepted run's), or null: ranked by templates. */
  agents: AgentSet | null = null;
  private readonly names = new Map<string, string>();
  /** The accepted run's agents by identity and its scale s; null when no run is in force. */
  private accepted: { vectors: Map<string, Float32Array>; scale: number } | null = null;
  /** The last local calibration check; null: the gallery changed since (recomputed on demand). */
  private drift: { status: DriftStatus; localShift: number } | null = null;
  private driftTimer: ReturnType<typeof setTimeout> | undefined;
  private store: Store | null = null;
  private peopleSeen = '';

  constructor(private readonly deps: LiveGalleryDeps) {}

  /** Everything again from the store (after open, restore, import, another writer's changes). */
  reload(store: Store | null): void {
    this.store = store;
    this.names.clear();
    this.matcher = new TemplateIndex({ firstPass: 'int8' });
    if (!store) {
      this.accepted = null;
      this.agents = null;
      this.changed();
      return;
    }
    const people = store.listIdentities();
    for (const i of people) this.names.set(i.id, i.name);
    this.peopleSeen = fingerprint(people);
    this.load(store.allTemplates());
    this.loadAgents();
  }

  /**
   * Another process on the same database (the `normface` command) changed people: re-read only when
   * their template counts or update times moved (another process's logins only add events).
   */
  followOtherWriters(): void {
    const store = this.store;
    if (!store?.changedElsewhere()) return;
    const people = store.listIdentities();
    this.names.clear();
    for (const i of people) this.names.set(i.id, i.name);
    const seen = fingerprint(people);
    if (seen === this.peopleSeen) return;
    this.reload(store);
  }

  nameOf(identityId: string): string | null {
    return this.names.get(identityId) ?? null;
  }

  named(identityId: string, name: string): void {
    this.names.set(identityId, name);
  }

  /** Re-reads one person's templates after a change to them. */
  reindex(identityId: string): void {
    if (!this.store) return;
    this.matcher.removeOwner(identityId);
    this.load(this.store.allTemplates(identityId));
    this.rebuildAgents();
  }

  /**
   * People another desk changed, as they now are here (null: deleted). Such changes come in streams
   * (a desk joining takes thousands): the calibration check waits until they settle.
   */
  applyFleetChanges(changed: readonly { id: string; person: FleetPerson | null }[]): void {
    for (const { id, person } of changed) {
      this.matcher.removeOwner(id);
      if (person) this.names.set(id, person.name);
      else this.names.delete(id);
      if (person) this.load(person.templates.map((t) => ({ ...t, identityId: id })));
    }
    this.rebuildAgents(FLEET_CHECK_AFTER_MS);
  }

  removeTemplate(templateId: string): void {
    this.matcher.removeTemplate(templateId);
    this.rebuildAgents();
  }

  forget(identityId: string): void {
    this.matcher.removeOwner(identityId);
    this.names.delete(identityId);
    this.rebuildAgents();
  }

  /** Reads the accepted run's agents again (after accept and rollback). */
  loadAgents(): void {
    let active: ReturnType<Store['activeAgents']> = null;
    try {
      active = this.store?.activeAgents() ?? null;
    } catch (e) {
      // A damaged agent must not lock people out: identify falls back to templates, and says why.
      if (!(e instanceof StoreError)) throw e;
      this.deps.log('normface: the accepted agents could not be read; identifying by templates', e);
    }
    if (!active) {
      this.accepted = null;
    } else {
      const learnt = active.run.metrics?.['scale'];
      const fixed = active.run.settings['scale'];
      const scale = typeof learnt === 'number' && learnt > 0 ? learnt : typeof fixed === 'number' && fixed > 0 ? fixed : 10;
      this.accepted = { vectors: new Map(active.agents.map((a) => [a.identityId, a.vector])), scale };
    }
    this.rebuildAgents();
  }

  /** The cohort changed, or the level: the local check is stale. */
  changed(checkAfterMs = 500): void {
    this.drift = null;
    clearTimeout(this.driftTimer);
    // Redone soon, off the caller's path.
    this.driftTimer = setTimeout(() => {
      try {
        this.currentDrift();
      } catch (e) {
        this.deps.log('normface: the local calibration check failed', e);
      }
    }, checkAfterMs);
    this.driftTimer.unref?.();
  }

  /** Runs the local calibration check when stale, and logs a warning when it starts or stops warning. */
  currentDrift(): { status: DriftStatus; localShift: number } | null {
    if (this.drift) return this.drift;
    const c = this.deps.calibration();
    const s = this.store;
    if (!c || !s) return null;
    const cohort = [...s.cohortTemplates()].filter((t) => t.modelId === this.deps.modelId && t.vector.length === this.matcher.dim).map((t) => t.vector);
    const { level, localThresholds } = this.deps.policy(s);
    const { status: next, localShift } = driftStatus(levelsCalibration(c, 0), level, groupedTemplates(this.matcher, cohort), localThresholds, this.deps.now());
    const wasWarning = s.listEvents({ kinds: ['drift-check'], limit: 1 })[0]?.details?.['warn'] === true;
    if (next.warn !== wasWarning) {
      // Logged on each change of state, so the log says when the camera's faces drifted and when they came back.
      s.logEvent({ kind: 'drift-check', details: { warn: next.warn, level, pairs: next.pairs, localRate: next.localRate, expectedRate: next.expectedRate, message: next.message } });
    }
    this.drift = { status: next, localShift };
    return this.drift;
  }

  close(): void {
    clearTimeout(this.driftTimer);
    this.store = null;
  }

  /** The matcher holds only templates of the current embedder: scores across models mean nothing. */
  private load(templates: Iterable<StoredTemplate>): void {
    for (const t of templates) if (t.modelId === this.deps.modelId) this.matcher.add(t.identityId, t.id, t.vector);
  }

  /**
   * One agent per identity the matcher holds. A person enrolled after the run has no agent: they
   * are ranked by the normalised mean of their templates, which is where a run starts an agent.
   */
  private rebuildAgents(checkAfterMs?: number): void {
    this.changed(checkAfterMs);
    this.agents = null;
    const accepted = this.accepted;
    const matcher = this.matcher;
    if (!accepted || matcher.size === 0) return;
    const ids = matcher.identityIds();
    const dim = matcher.dim;
    const rows = new Float32Array(ids.length * dim);
    ids.forEach((id, i) => {
      const row = rows.subarray(i * dim, (i + 1) * dim);
      const agent = accepted.vectors.get(id);
      if (agent && agent.length === dim) {
        row.set(agent);
        return;
      }
      const vectors = matcher.templateIdsOf(id).map((t) => matcher.templateVector(t)).filter((v) => v !== undefined);
      // A mean that does not fuse leaves the row zero, which agentSetFrom refuses with its reason.
      const mean = fuseProbes(vectors, dim);
      if (mean.ok) row.set(mean.unit);
    });
    const set = agentSetFrom(ids, rows, accepted.scale, dim);
    if ('ok' in set) this.deps.log('normface: the accepted agents cannot be used; identifying by templates', new Error(set.error));
    else this.agents = set;
  }
}

function fingerprint(people: readonly { id: string; templateCount: number; updatedAt: number }[]): string {
  return people.map((i) => `${i.id}:${i.templateCount}:${i.updatedAt}`).join(',');
}
