// Writes a LinearModel as an ONNX ModelProto with onnx-proto (opset 13, IR 7):
//   classifier: features[N,F] -> Gemm(W, b) -> Sigmoid -> probs[N,M]
//   moe:        features[N,F] -> Gemm(W, b) -> Softmax(axis=1) -> probs[N,M]
//               probs -> TopK(k=2) -> top2_indices[N,2], top2 values / ReduceSum -> top2_gates[N,2]
// Weights go in as float32 raw_data; no timestamps or host data, so the bytes depend only on the
// weights (the reproducibility test compares them).
import { onnx } from 'onnx-proto';
import type { LinearModel } from '../routing/linear-model';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function tensor(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

function int64Tensor(name: string, values: number[]): onnx.ITensorProto {
  const buf = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => buf.writeBigInt64LE(BigInt(v), 8 * i));
  return { name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(buf) };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

export function toOnnx(model: LinearModel, docString: string): Uint8Array {
  const F = model.featureNames.length;
  const M = model.modelIds.length;
  const nodes: onnx.INodeProto[] = [
    { opType: 'Gemm', input: ['features', 'W', 'b'], output: ['logits'], name: 'gemm' },
  ];
  const init = [tensor('W', [F, M], model.W), tensor('b', [M], model.b)];
  const outputs = [valueInfo('probs', FLOAT, ['N', M])];
  if (model.activation === 'sigmoid') {
    nodes.push({ opType: 'Sigmoid', input: ['logits'], output: ['probs'], name: 'sigmoid' });
  } else {
    nodes.push(
      { opType: 'Softmax', input: ['logits'], output: ['probs'], name: 'softmax', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
      { opType: 'TopK', input: ['probs', 'k'], output: ['top2_values', 'top2_indices'], name: 'top2' },
      { opType: 'ReduceSum', input: ['top2_values', 'axes'], output: ['top2_sum'], name: 'top2_sum', attribute: [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
      { opType: 'Div', input: ['top2_values', 'top2_sum'], output: ['top2_gates'], name: 'renormalise' },
    );
    init.push(int64Tensor('k', [2]), int64Tensor('axes', [1]));
    outputs.push(valueInfo('top2_indices', INT64, ['N', 2]), valueInfo('top2_gates', FLOAT, ['N', 2]));
  }
  const proto: onnx.IModelProto = {
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'routerllm',
    producerVersion: '1',
    docString,
    graph: {
      name: `router-${model.kind}`,
      node: nodes,
      initializer: init,
      input: [valueInfo('features', FLOAT, ['N', F])],
      output: outputs,
    },
    metadataProps: [
      { key: 'feature_names', value: model.featureNames.join(',') },
      { key: 'model_ids', value: model.modelIds.join(',') },
    ],
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(proto)).finish();
}
