// Identify (1:N, open set) over a TemplateIndex, optionally ranked by trained agents, with the
// threshold of a security level. The kiosk's visit rule (core/decisions/visit.ts) and the photo search
// call it; a login (1:1) is core/decisions/login.ts. Bad input comes back as an error value the UI
// can show, never as a throw.
import { toUnit } from './probe';
import { TemplateIndex } from './templateIndex';

export type Failure = { ok: false; error: string };

export interface IdentifiedCandidate {
  identityId: string;
  /** Cosine to the identity's best template, or to its agent when agents are used. */
  score: number;
  /** The best template (absent when ranked by agents). */
  templateId?: string;
  /** Softmax over every agent at the agents' scale s (only when ranked by agents). */
  probability?: number;
}

/** The gallery ranked for one probe, and whether its best reaches the threshold: what the service turns into the contract's Identification. */
export interface GalleryRanking {
  ok: true;
  candidates: IdentifiedCandidate[];
  /** Open set: the best candidate's cosine reaches the threshold; otherwise "not recognised". */
  recognised: boolean;
  threshold: number;
  rankedBy: 'templates' | 'agents';
}

/** Trained agents (issue 5): one unit row per identity in their own index, and the learned scale s. */
export interface AgentSet {
  index: TemplateIndex;
  scale: number;
}

/** Agents as native-train gives them (row i of `agents` belongs to identityIds[i]) made into an AgentSet. */
export function agentSetFrom(identityIds: readonly string[], agents: Float32Array, scale: number, dim = 512): AgentSet | Failure {
  if (agents.length !== identityIds.length * dim) {
    return { ok: false, error: `${identityIds.length} identities need ${identityIds.length * dim} agent values, got ${agents.length}` };
  }
  if (!Number.isFinite(scale) || scale <= 0) return { ok: false, error: `the agents' scale must be positive, not ${scale}` };
  const index = new TemplateIndex({ dim, firstPass: 'exact', initialCapacity: Math.max(1, identityIds.length) });
  for (const [i, id] of identityIds.entries()) {
    const row = agents.subarray(i * dim, i * dim + dim);
    const checked = toUnit(row, dim, `agent of ${id}`);
    if (!checked.ok) return checked;
    if (index.hasOwner(id)) return { ok: false, error: `identity ${id} has two agents` };
    index.add(id, `agent:${id}`, checked.unit);
  }
  return { index, scale };
}

function checkThreshold(threshold: number): Failure | undefined {
  if (!Number.isFinite(threshold) || threshold < -1 || threshold > 1) {
    return { ok: false, error: `the threshold must be a cosine between -1 and 1, not ${threshold}` };
  }
  return undefined;
}

/**
 * 1:N, open set: the top-k identities, and whether the first is recognised at the threshold.
 * With agents, identities are ranked by cosine to their agent and each gets its softmax
 * probability at scale s; the open-set decision still compares the top cosine with the threshold.
 */
export function identify(index: TemplateIndex, probe: ArrayLike<number>, k: number, threshold: number, agents?: AgentSet): GalleryRanking | Failure {
  const bad = checkThreshold(threshold);
  if (bad) return bad;
  if (!Number.isInteger(k) || k < 1) return { ok: false, error: `ask for at least one candidate, not ${k}` };
  const unit = toUnit(probe, index.dim);
  if (!unit.ok) return unit;
  let candidates: IdentifiedCandidate[];
  if (agents && agents.index.size > 0) {
    if (!Number.isFinite(agents.scale) || agents.scale <= 0) return { ok: false, error: `the agents' scale must be positive, not ${agents.scale}` };
    if (agents.index.dim !== index.dim) return { ok: false, error: `the agents have ${agents.index.dim} values, the templates ${index.dim}` };
    candidates = softmaxOverAgents(agents, unit.unit).slice(0, k);
  } else {
    candidates = index.size > 0 ? index.search(unit.unit, k) : [];
  }
  const top = candidates[0];
  return { ok: true, candidates, recognised: top !== undefined && top.score >= threshold, threshold, rankedBy: agents && agents.index.size > 0 ? 'agents' : 'templates' };
}

function softmaxOverAgents(agents: AgentSet, unit: Float64Array): IdentifiedCandidate[] {
  const scored = agents.index.scoreEveryOwner(unit);
  let peak = -Infinity;
  for (const c of scored) peak = Math.max(peak, c.score);
  // Shifted by the peak so exp never overflows at large s.
  const weights = scored.map((c) => Math.exp(agents.scale * (c.score - peak)));
  const total = weights.reduce((a, b) => a + b, 0);
  return scored
    .map((c, i) => ({ identityId: c.identityId, score: c.score, probability: weights[i]! / total }))
    .sort((a, b) => b.score - a.score || (a.identityId < b.identityId ? -1 : 1));
}
