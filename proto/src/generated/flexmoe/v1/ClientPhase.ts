// Original file: proto/flexmoe/v1/coordinator.proto

export const ClientPhase = {
  PHASE_UNSPECIFIED: 'PHASE_UNSPECIFIED',
  IDLE: 'IDLE',
  DOWNLOADING: 'DOWNLOADING',
  TRAINING: 'TRAINING',
  UPLOADING: 'UPLOADING',
} as const;

export type ClientPhase =
  | 'PHASE_UNSPECIFIED'
  | 0
  | 'IDLE'
  | 1
  | 'DOWNLOADING'
  | 2
  | 'TRAINING'
  | 3
  | 'UPLOADING'
  | 4

export type ClientPhase__Output = typeof ClientPhase[keyof typeof ClientPhase]
