// npm run models:quantize [-- --calibration 300 --out models/fr_feature_int8.onnx --depthwise]
// Static int8 QDQ variant of the pinned embedder (models/fr_feature.onnx): QuantizeLinear/DequantizeLinear
// pairs around every full and pointwise Conv's input and output (activations uint8, one scale per tensor from each crop's min and max
// averaged over the calibration crops: the extremes of all crops at once gave coarser steps and lower
// cosine to the float model) and its weights (int8, symmetric, one scale per output channel; bias int32 at
// input scale x weight scale), which onnxruntime's optimiser fuses into QLinearConv. The head (the last
// two Convs after the final PReLU: 7x7 global depthwise + 512x512 linear) stays float: it costs
// under 1% of the compute and holds the embedding's precision. Depthwise Convs stay float too
// (--depthwise quantises them): onnxruntime-web's int8 depthwise kernel made the whole model slower
// than the float one (47.8 against 40.3 ms, 1 thread), without them it is faster (18.8 against 31.2). Calibration crops: a fixed, evenly spaced
// selection of LFW View 1 images (never View 2, which the accuracy is measured on), aligned by the app's
// own detector, landmarks and 5-point alignment. Deterministic (fixed crops, single-threaded
// calibration, round half away from zero), so the output's SHA-256 is stable; it is printed, and eval:quantised
// says whether it is the recorded one (quantised-model.ts).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { alignedTensor } from '../../core/vision/align';
import { createNodePipeline, modelsDir } from '../support/node-pipeline';
import { hasLfw, lfwRoot, noLfwReason } from '../support/shared';
import { parseArgs } from './args';
import { locateLfwFace } from './embeddings';
import { readPairs } from './lfw-lists';
import { QUANTISED_FILE } from './quantised-model';
import { DataType, decodeModel, encodeModel, floatsOf, tensor, type ModelProto, type NodeProto } from './onnx-proto';

const args = parseArgs(process.argv.slice(2));
const count = Number(args.get('calibration') ?? 300);
const out = resolve(args.get('out') ?? join(modelsDir, QUANTISED_FILE));
if (!hasLfw) throw new Error(`Calibration needs LFW View 1: ${noLfwReason}. Set NORMFACE_SHARED to the folder that holds datasets/lfw.`);

const source = readFileSync(join(modelsDir, 'fr_feature.onnx'));
const model = decodeModel(source);
const graph = model.graph;
const inits = new Map(graph.initializer.map((t) => [t.name, t]));

// Which Convs are quantised: all but those after the last PReLU (the head).
const lastPrelu = graph.node.map((n) => n.opType).lastIndexOf('PRelu');
const depthwise = (n: NodeProto) => (n.attribute.find((a) => a.name === 'group')?.i ?? 1) > 1;
const withDepthwise = args.get('depthwise') === 'true';
// Also float by default: the first Conv (on the image) and every Conv after the last stride-2 one (the
// 7x7 stage): about 8% of the multiply-adds, and half of the int8 model's distance from the float one
// (mean 1 - cosine 0.0064 -> 0.0030 on 150 View 2 crops). --all-stages quantises them; --float A,B
// (Convs by output tensor name) keeps others float, to find which layers cost accuracy.
const convs = graph.node.filter((n) => n.opType === 'Conv');
const strided = (n: NodeProto) => (n.attribute.find((a) => a.name === 'strides')?.ints ?? []).some((v) => v > 1);
const lastStrided = graph.node.indexOf(convs.filter(strided).pop() as NodeProto);
const allStages = args.get('all-stages') === 'true';
const keptFloat = new Set((args.get('float') ?? '').split(',').filter(Boolean));
const quantised = graph.node.filter(
  (n, i) =>
    n.opType === 'Conv' &&
    i < lastPrelu &&
    (withDepthwise || !depthwise(n)) &&
    (allStages || (n !== convs[0] && i < lastStrided)) &&
    !keptFloat.has(n.output[0] as string),
);
// Activations to quantise: every quantised Conv's data input and output.
const activations = [...new Set(quantised.flatMap((n) => [n.input[0] as string, n.output[0] as string]))];

// 1. Calibration: the float model with every such activation as an extra output, run on real crops.
async function calibrate(): Promise<Map<string, { min: number; max: number }>> {
  const probe: ModelProto = {
    ...model,
    graph: {
      ...graph,
      output: [...graph.output, ...activations.filter((a) => a !== 'input').map((name) => ({ name, type: { tensorType: { elemType: DataType.FLOAT } } }))],
    },
  };
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(encodeModel(probe), { executionProviders: ['wasm'], logSeverityLevel: 3 });
  const pipeline = await createNodePipeline({ threads: 1 });
  const view1 = [...new Set(readPairs(1, lfwRoot).flatMap((p) => [p.a, p.b]))].sort();
  const step = view1.length / count;
  const chosen = Array.from({ length: Math.min(count, view1.length) }, (_, i) => view1[Math.floor(i * step)] as string);
  const ranges = new Map<string, { min: number; max: number }>(activations.map((a) => [a, { min: 0, max: 0 }]));
  try {
    for (const [k, path] of chosen.entries()) {
      const { img, points } = await locateLfwFace(pipeline, path);
      const input = alignedTensor(img, points);
      const outputs = await session.run({ input: new ort.Tensor('float32', input, [1, 3, 112, 112]) });
      for (const name of activations) {
        const data = name === 'input' ? input : (outputs[name]?.data as Float32Array);
        const r = ranges.get(name) as { min: number; max: number };
        let lo = 0;
        let hi = 0;
        for (const v of data) {
          if (v < lo) lo = v;
          else if (v > hi) hi = v;
        }
        r.min += lo / chosen.length;
        r.max += hi / chosen.length;
      }
      if ((k + 1) % 50 === 0) console.log(`calibration: ${k + 1} of ${chosen.length} crops`);
    }
  } finally {
    await pipeline.release();
    await session.release();
  }
  return ranges;
}

const roundAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));
const f32 = (x: number) => Math.fround(x);

function quantise(ranges: Map<string, { min: number; max: number }>): ModelProto {
  const nodes: NodeProto[] = [];
  const newInits = [...graph.initializer];
  const actScale = new Map<string, number>();
  const rename = new Map<string, string>();
  const qdq = (name: string): NodeProto[] => {
    const r = ranges.get(name) as { min: number; max: number };
    const scale = f32(Math.max((r.max - r.min) / 255, 1e-8));
    const zero = Math.min(255, Math.max(0, Math.round(-r.min / scale)));
    actScale.set(name, scale);
    newInits.push(tensor(`${name}_scale`, DataType.FLOAT, [], new Float32Array([scale])), tensor(`${name}_zero`, DataType.UINT8, [], new Uint8Array([zero])));
    rename.set(name, `${name}_dq`);
    return [
      { opType: 'QuantizeLinear', name: `${name}_Q`, input: [name, `${name}_scale`, `${name}_zero`], output: [`${name}_q`], attribute: [] },
      { opType: 'DequantizeLinear', name: `${name}_DQ`, input: [`${name}_q`, `${name}_scale`, `${name}_zero`], output: [`${name}_dq`], attribute: [] },
    ];
  };
  const perChannel = (node: NodeProto, inputName: string): void => {
    const wName = node.input[1] as string;
    const w = inits.get(wName);
    if (!w) throw new Error(`Conv ${node.name ?? node.output[0]}: weight ${wName} is not an initialiser`);
    const values = floatsOf(w);
    const channels = Number(w.dims[0]);
    const per = values.length / channels;
    const scales = new Float32Array(channels);
    const q = new Int8Array(values.length);
    for (let c = 0; c < channels; c++) {
      let m = 0;
      for (let j = 0; j < per; j++) m = Math.max(m, Math.abs(values[c * per + j] as number));
      const s = f32(m > 0 ? m / 127 : 1);
      scales[c] = s;
      for (let j = 0; j < per; j++) q[c * per + j] = Math.max(-127, Math.min(127, roundAway((values[c * per + j] as number) / s)));
    }
    newInits.push(tensor(`${wName}_q`, DataType.INT8, w.dims.map(Number), q), tensor(`${wName}_scale`, DataType.FLOAT, [channels], scales), tensor(`${wName}_zero`, DataType.INT8, [channels], new Int8Array(channels)));
    nodes.push({ opType: 'DequantizeLinear', name: `${wName}_DQ`, input: [`${wName}_q`, `${wName}_scale`, `${wName}_zero`], output: [`${wName}_dq`], attribute: [{ name: 'axis', type: 2, i: 0 }] });
    node.input[1] = `${wName}_dq`;
    const bName = node.input[2];
    if (bName) {
      const b = floatsOf(inits.get(bName) ?? (() => { throw new Error(`bias ${bName} is not an initialiser`); })());
      const inScale = actScale.get(inputName);
      if (inScale === undefined) throw new Error(`Conv input ${inputName} has no activation scale`);
      const bScales = scales.map((s) => f32(inScale * s));
      const bq = Int32Array.from(b, (v, c) => roundAway(v / (bScales[c] as number)));
      newInits.push(tensor(`${bName}_q`, DataType.INT32, [channels], bq), tensor(`${bName}_scale`, DataType.FLOAT, [channels], bScales), tensor(`${bName}_zero`, DataType.INT32, [channels], new Int32Array(channels)));
      nodes.push({ opType: 'DequantizeLinear', name: `${bName}_DQ`, input: [`${bName}_q`, `${bName}_scale`, `${bName}_zero`], output: [`${bName}_dq`], attribute: [{ name: 'axis', type: 2, i: 0 }] });
      node.input[2] = `${bName}_dq`;
    }
  };

  // The model input is quantised before the first node; every other activation right after its producer.
  if (activations.includes('input')) nodes.push(...qdq('input'));
  for (const original of graph.node) {
    const node: NodeProto = { ...original, input: original.input.map((i) => rename.get(i) ?? i), output: [...original.output] };
    if (quantised.includes(original)) perChannel(node, original.input[0] as string);
    nodes.push(node);
    for (const o of node.output) if (activations.includes(o)) nodes.push(...qdq(o));
  }
  // Quantised Conv weights are now only read through their DequantizeLinear: drop the float copies.
  const used = new Set(nodes.flatMap((n) => n.input));
  return {
    ...model,
    // Per-channel DequantizeLinear (axis) needs opset 13; Conv, PRelu, Add and Reshape mean the same in 9 and 13.
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'normface quantize.ts',
    producerVersion: '1',
    docString: `Static int8 QDQ of fr_feature.onnx (sha256 ${createHash('sha256').update(source).digest('hex')}), ${count} LFW View 1 calibration crops, per-crop min/max averaged per tensor, per-channel weights; head${withDepthwise ? '' : ', depthwise Convs'}${allStages ? '' : ', first Conv, 7x7 stage'}${keptFloat.size ? `, ${[...keptFloat].join(' ')}` : ''} float.`,
    graph: { ...graph, node: nodes, initializer: newInits.filter((t) => used.has(t.name)) },
  };
}

const ranges = await calibrate();
const bytes = encodeModel(quantise(ranges));
writeFileSync(out, bytes);
const sha = createHash('sha256').update(bytes).digest('hex');
console.log(`quantised ${quantised.length} of ${graph.node.filter((n) => n.opType === 'Conv').length} Convs, ${activations.length} activations; ${source.length} -> ${bytes.length} bytes`);
console.log(`wrote ${out}\nsha256 ${sha}`);
console.log(JSON.stringify({ file: out, sha256: sha, bytes: bytes.length, calibrationCrops: count, quantisedConvs: quantised.length }));
