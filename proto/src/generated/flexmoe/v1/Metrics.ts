// Original file: proto/flexmoe/v1/coordinator.proto


export interface Metrics {
  'loss'?: (number | string);
  'accuracy'?: (number | string);
  'numSamples'?: (number);
}

export interface Metrics__Output {
  'loss': (number);
  'accuracy': (number);
  'numSamples': (number);
}
