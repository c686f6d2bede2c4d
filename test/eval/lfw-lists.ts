// Readers for LFW's standard lists (pairs.txt, pairsDevTrain/Test.txt, people*.txt).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lfwImage, lfwRoot } from '../support/shared';

export interface LfwPair {
  a: string;
  b: string;
  genuine: boolean;
  fold: number;
}

function parsePairLines(lines: string[], foldOf: (i: number) => number): LfwPair[] {
  return lines.map((line, i) => {
    const f = line.trim().split(/\s+/);
    if (f.length === 3) return { a: lfwImage(f[0]!, +f[1]!), b: lfwImage(f[0]!, +f[2]!), genuine: true, fold: foldOf(i) };
    if (f.length === 4) return { a: lfwImage(f[0]!, +f[1]!), b: lfwImage(f[2]!, +f[3]!), genuine: false, fold: foldOf(i) };
    throw new Error(`unreadable pair line ${i + 2}: ${line}`);
  });
}

/** View 2 (pairs.txt: 10 folds of 300 matched then 300 mismatched) or View 1 (dev train + test). */
export function readPairs(view: 1 | 2, root = lfwRoot): LfwPair[] {
  if (view === 2) {
    const [header, ...lines] = readFileSync(join(root, 'pairs.txt'), 'utf8').trim().split('\n');
    const [folds, per] = header!.trim().split(/\s+/).map(Number) as [number, number];
    if (lines.length !== folds * per * 2) throw new Error(`pairs.txt holds ${lines.length} pairs, expected ${folds * per * 2}`);
    return parsePairLines(lines, (i) => Math.floor(i / (2 * per)));
  }
  const read = (file: string, fold: number) => {
    const [, ...lines] = readFileSync(join(root, file), 'utf8').trim().split('\n');
    return parsePairLines(lines, () => fold);
  };
  return [...read('pairsDevTrain.txt', 0), ...read('pairsDevTest.txt', 1)];
}

/** People of a list file with their image counts. */
export function readPeople(file: 'people.txt' | 'peopleDevTrain.txt' | 'peopleDevTest.txt', root = lfwRoot): { name: string; count: number }[] {
  const lines = readFileSync(join(root, file), 'utf8').trim().split('\n');
  return lines
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 2 && Number.isFinite(+f[1]!))
    .map(([name, count]) => ({ name: name!, count: +count! }));
}

/** Every image path of the given people. */
export function imagesOf(people: readonly { name: string; count: number }[]): string[] {
  return people.flatMap((p) => Array.from({ length: p.count }, (_, i) => lfwImage(p.name, i + 1)));
}

/** Every k-th image of LFW View 1's people in list order: the same `count` images every run. */
export function fixedSample(count: number): string[] {
  const all = imagesOf([...readPeople('peopleDevTrain.txt'), ...readPeople('peopleDevTest.txt')]).sort();
  const step = Math.floor(all.length / count);
  return Array.from({ length: count }, (_, i) => all[i * step] as string);
}
