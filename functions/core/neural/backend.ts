/**
 * tfjs on its pure-JS CPU backend (never tfjs-node: no native binaries in the Lambda bundle).
 * `PROD` silences the "install tfjs-node" banner and skips tfjs' debug-only checks.
 */
import * as tf from '@tensorflow/tfjs';

let ready: Promise<void> | null = null;

export function ensureCpuBackend(): Promise<void> {
  ready ??= (async () => {
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
    await tf.ready();
  })();
  return ready;
}
