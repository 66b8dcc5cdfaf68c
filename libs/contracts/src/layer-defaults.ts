// No zod here (types only): the dashboard bundles this file by its path, through hyperparameters.ts.
import type { Initializer, LayerSpec } from './network.js';

/** A layer's initializer when it names none: He for the ReLUs, Glorot for the symmetric activations. */
export function initializerOf(layer: Pick<LayerSpec, 'activation' | 'init'>): Initializer {
  return layer.init ?? (layer.activation === 'relu' || layer.activation === 'leakyRelu' ? 'he' : 'glorot');
}

/** Whether a layer has a bias vector: its own `bias`, else the run's. */
export function layerBias(layer: Pick<LayerSpec, 'bias'>, runBias: boolean): boolean {
  return layer.bias ?? runBias;
}
