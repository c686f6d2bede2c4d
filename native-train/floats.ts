// Training math is written once over either precision: Float32 for runs, Float64 for gradient checks.
export type Floats = Float32Array | Float64Array;
export type FloatsCtor = Float32ArrayConstructor | Float64ArrayConstructor;

export function like(x: Floats, length: number): Floats {
  return x instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
}
