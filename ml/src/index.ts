/**
 * @flexmoe/ml: the ONNX graph builder with reverse-mode differentiation (`@flexmoe/ml/onnx`),
 * the MoE model's graphs (`@flexmoe/ml/model`), the Trainer on ONNX Runtime in a worker thread
 * (`@flexmoe/ml/training`) and the datasets (`@flexmoe/ml/data`). The root entry re-exports the
 * training and data surfaces; the graph builder stays behind its own subpath.
 */
export * from './training';
export * from './data';
