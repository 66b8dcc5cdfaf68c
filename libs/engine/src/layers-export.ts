import type { Architecture } from '#libs/contracts';
import { LEAKY_RELU_ALPHA, layerShapes, type LayerActivation } from './network.js';

/** Keras's name for each activation; leakyRelu has none on a Dense layer and becomes its own LeakyReLU layer. */
const KERAS_ACTIVATION: Record<LayerActivation, string> = {
  sigmoid: 'sigmoid',
  relu: 'relu',
  tanh: 'tanh',
  linear: 'linear',
  leakyRelu: 'linear',
  softmax: 'softmax',
};

/** The file the manifest names; served beside model.json. */
export const WEIGHTS_FILE = 'weights.bin';

/**
 * model.json of the TensorFlow.js Layers format for a trained network: a Sequential of Dense layers (one
 * LeakyReLU layer after each leakyRelu Dense), softmax output, and a manifest whose weights are, in order,
 * W0 [inputs, units], b0, W1, b1, … as little-endian float32: exactly the stored weights blob.
 */
export function layersModelJson(architecture: Architecture, metadata: Record<string, unknown>) {
  const layers: object[] = [];
  const weights: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  layerShapes(architecture).forEach((shape, i) => {
    const name = `dense_${i + 1}`;
    layers.push({
      class_name: 'Dense',
      config: {
        name,
        trainable: true,
        units: shape.units,
        activation: KERAS_ACTIVATION[shape.activation],
        use_bias: shape.bias,
        ...(i === 0 && { batch_input_shape: [null, architecture.inputSize], dtype: 'float32' }),
      },
    });
    weights.push({ name: `${name}/kernel`, shape: [shape.inputs, shape.units], dtype: 'float32' });
    if (shape.bias) weights.push({ name: `${name}/bias`, shape: [shape.units], dtype: 'float32' });
    if (shape.activation === 'leakyRelu') {
      layers.push({ class_name: 'LeakyReLU', config: { name: `leaky_re_lu_${i + 1}`, trainable: true, alpha: LEAKY_RELU_ALPHA } });
    }
  });
  return {
    format: 'layers-model',
    generatedBy: 'Trainyard',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'trainyard', layers },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
    userDefinedMetadata: metadata,
  };
}
