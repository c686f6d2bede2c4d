// The subset of onnx.proto (ONNX IR, proto2) that reading and rewriting our model files needs, parsed
// with protobufjs. Field numbers are onnx.proto's; a field left out here would be dropped on
// re-encoding, so every field our models use is listed.
import protobuf from 'protobufjs';

const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto {
  optional string name = 1; optional string ref_attr_name = 21; optional string doc_string = 13;
  optional int32 type = 20; optional float f = 2; optional int64 i = 3; optional bytes s = 4;
  optional TensorProto t = 5; optional GraphProto g = 6;
  repeated float floats = 7; repeated int64 ints = 8; repeated bytes strings = 9;
  repeated TensorProto tensors = 10; repeated GraphProto graphs = 11;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; optional string doc_string = 3; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4;
  optional string domain = 7; repeated AttributeProto attribute = 5; optional string doc_string = 6;
}
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message ModelProto {
  optional int64 ir_version = 1; repeated OperatorSetIdProto opset_import = 8; optional string producer_name = 2;
  optional string producer_version = 3; optional string domain = 4; optional int64 model_version = 5;
  optional string doc_string = 6; optional GraphProto graph = 7; repeated StringStringEntryProto metadata_props = 14;
}
message GraphProto {
  repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5;
  optional string doc_string = 10; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}
message TensorProto {
  repeated int64 dims = 1; optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true]; repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6; repeated int64 int64_data = 7 [packed = true]; optional string name = 8;
  optional string doc_string = 12; optional bytes raw_data = 9; repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true]; repeated StringStringEntryProto external_data = 13;
  optional int32 data_location = 14;
}
message TensorShapeProto {
  message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; optional string denotation = 3; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  optional Tensor tensor_type = 1; optional string denotation = 6;
}
`;

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int64Data?: number[];
}
export interface AttributeProto { name: string; type?: number; i?: number; ints?: number[]; f?: number }
export interface NodeProto { input: string[]; output: string[]; name?: string; opType: string; domain?: string; attribute: AttributeProto[] }
export interface ValueInfoProto { name: string; type?: { tensorType?: { elemType?: number } } }
export interface GraphProto { node: NodeProto[]; name?: string; initializer: TensorProto[]; input: ValueInfoProto[]; output: ValueInfoProto[]; valueInfo: ValueInfoProto[] }
export interface ModelProto { irVersion: number; opsetImport: { domain?: string; version: number }[]; producerName?: string; producerVersion?: string; docString?: string; graph: GraphProto; metadataProps: { key: string; value: string }[] }

const root = protobuf.parse(ONNX_PROTO, { keepCase: false }).root;
const Model = root.lookupType('onnx.ModelProto');

export function decodeModel(bytes: Uint8Array): ModelProto {
  // longs as plain numbers: every int64 in these models (dims, attributes, versions) is small.
  return Model.toObject(Model.decode(bytes), { longs: Number, bytes: Uint8Array, defaults: false, arrays: true }) as unknown as ModelProto;
}

export function encodeModel(model: ModelProto): Uint8Array {
  return Model.encode(Model.fromObject(model as unknown as Record<string, unknown>)).finish();
}

/** The float32 values of an initialiser, however it stores them. */
export function floatsOf(t: TensorProto): Float32Array {
  if (t.dataType !== DataType.FLOAT) throw new Error(`initialiser ${t.name} is not float32 (data type ${t.dataType})`);
  if (t.rawData && t.rawData.length > 0) return new Float32Array(Uint8Array.from(t.rawData).buffer);
  return Float32Array.from(t.floatData ?? []);
}

export function tensor(name: string, dataType: number, dims: number[], data: Float32Array | Int8Array | Uint8Array | Int32Array): TensorProto {
  const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return { name, dims, dataType, rawData: bytes };
}
