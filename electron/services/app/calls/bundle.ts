// The contract's bundle.* calls: export chosen people sealed with a passphrase, look inside a bundle,
// import it. The back end decides who is "the same person" (same id, or a face match at the calibrated
// threshold); the UI only picks merge or skip for them. Nothing is written until the bundle has opened.
import { ApiError, MAX_BUNDLE_BYTES, type BundlePerson } from '../../../../core/contract/api';
import type { TemplateIndex } from '../../../../core/matching/templateIndex';
import type { Handlers } from '../dispatch';
import type { ImportAction, PortableIdentity, Store } from '../../store/index';
import { BundleError, openBundle, writeBundle } from '../../bundle/format';

export interface BundleDeps {
  db(): Store;
  matcher(): TemplateIndex;
  /** The cosine at the current security level: at or above it, a bundle face is someone enrolled here. */
  threshold(): number;
  modelId: string;
  now(): number;
  /** Called after an import wrote something: reload names and the matcher. */
  imported(): void;
}

type BundleCalls = 'bundle.export' | 'bundle.inspect' | 'bundle.import';

function apiError(error: unknown): never {
  if (error instanceof BundleError) {
    throw new ApiError({ code: error.code === 'other-model' ? 'conflict' : error.code === 'busy' ? 'unavailable' : 'invalid-arguments', message: error.message });
  }
  throw error;
}

async function open(deps: BundleDeps, bundle: string, passphrase: string): Promise<PortableIdentity[]> {
  try {
    return (await openBundle(Buffer.from(bundle, 'base64'), passphrase, deps.modelId)).people;
  } catch (error) {
    return apiError(error);
  }
}

/**
 * Who in the bundle is enrolled here already: the same record (the bundle's id is this person's, or
 * the one they were imported with) when the faces agree too, else the best face match over the
 * threshold. An id alone proves nothing: anyone can write any id into a file.
 */
function matches(deps: BundleDeps, people: readonly PortableIdentity[]): BundlePerson[] {
  const local = new Map(deps.db().listIdentities().map((p) => [p.id, p.name]));
  const matcher = deps.matcher();
  const threshold = deps.threshold();
  return people.map((p) => {
    let best: { identityId: string; score: number } | null = null;
    for (const t of p.templates) {
      if (matcher.size === 0 || t.vector.length !== matcher.dim) break;
      const hit = matcher.search(t.vector, 1)[0];
      if (hit && hit.score >= threshold && (!best || hit.score > best.score)) best = { identityId: hit.identityId, score: hit.score };
    }
    const byId = deps.db().identityFromBundleId(p.id);
    const sameId = byId !== null && best?.identityId === byId ? byId : null;
    const match: BundlePerson['match'] = sameId !== null
      ? { identityId: sameId, name: local.get(sameId)!, score: best?.identityId === sameId ? best.score : null, by: 'id' }
      : best !== null ? { identityId: best.identityId, name: local.get(best.identityId) ?? '(deleted)', score: best.score, by: 'face' } : null;
    return { id: p.id, name: p.name, templateCount: p.templates.length, match };
  });
}

export function bundleHandlers(deps: BundleDeps): Pick<Handlers, BundleCalls> {
  return {
    'bundle.export': async ({ identityIds, passphrase }) => {
      const people = deps.db().exportIdentities(identityIds);
      if (people.length === 0) throw new ApiError({ code: 'invalid-arguments', message: 'Nobody is enrolled yet: there is nobody to export.' });
      let file: Buffer;
      try {
        file = await writeBundle(people, deps.modelId, passphrase);
      } catch (error) {
        return apiError(error);
      }
      if (file.length > MAX_BUNDLE_BYTES) {
        throw new ApiError({
          code: 'invalid-arguments',
          message: `The bundle of ${people.length} people would be ${(file.length / 1048576).toFixed(1)} MB, more than the ${MAX_BUNDLE_BYTES / 1048576} MB one import takes; choose fewer people and export them in several files.`,
        });
      }
      const day = new Date(deps.now()).toISOString().slice(0, 10);
      return { fileName: `normface-people-${day}.nfbundle`, bundle: file.toString('base64'), identities: people.length, bytes: file.length };
    },

    'bundle.inspect': async ({ bundle, passphrase }) => {
      const people = await open(deps, bundle, passphrase);
      return { modelId: deps.modelId, people: matches(deps, people) };
    },

    'bundle.import': async ({ bundle, passphrase, choices }) => {
      const people = await open(deps, bundle, passphrase);
      const actions = new Map<string, ImportAction>();
      for (const person of matches(deps, people)) {
        if (person.match === null) continue;
        // Someone already here: merge only when asked to, never by default.
        actions.set(person.id, choices?.[person.id] === 'merge' ? { kind: 'merge', into: person.match.identityId } : { kind: 'skip' });
      }
      const outcome = deps.db().importIdentities(people, actions);
      if (outcome.added + outcome.merged > 0) deps.imported();
      return outcome;
    },
  };
}
