// Synthetic people for service-level tests: no file system, no import.meta, so crash children bundled
// to CommonJS can use them too.
import { l2normalise } from '../../core/hypersphere';
import { seededRandom } from '../../native-train/prng';

/** `count` templates of one synthetic person: a random centre plus small noise (cosine about 0.9). */
export function personTemplates(seed: number, count: number): Float32Array[] {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centre = l2normalise(Float32Array.from({ length: 512 }, gauss));
  return Array.from({ length: count }, () => l2normalise(centre.map((c) => c + 0.02 * gauss())));
}
