/**
 * ONNX Runtime's blocked-layout ops (`com.microsoft.nchwc`, CPU provider): ReorderInput (NCHW to
 * NCHWc), Conv over NCHWc tensors with weights in the blocked filter order, ReorderOutput (back to
 * NCHW). The builder emits them only through `nchwcConv` (../nchwc.ts), which checks that every
 * channel count is a multiple of the block, and only into graphs for sessions on the probed machine. Shapes
 * are the logical NCHW ones: the channel counts used are multiples of the block, so ONNX Runtime
 * pads nothing. The gradient is the plain Conv's rule, attached by `nchwcConv`.
 */
import { getOp, registerOp } from '../registry';
import { shapeFail } from '../shape';
import { dtypeIs, intAttr, rankIs, req } from './common';

/** The operator set domain of the blocked-layout ops. */
export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

registerOp('NchwcReorderInput', {
  onnxType: 'ReorderInput',
  domain: NCHWC_DOMAIN,
  infer: (inputs) => {
    const x = rankIs('NchwcReorderInput', dtypeIs('NchwcReorderInput', req('NchwcReorderInput', inputs, 0), 'float32'), 4);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

registerOp('NchwcReorderOutput', {
  onnxType: 'ReorderOutput',
  domain: NCHWC_DOMAIN,
  infer: (inputs, attrs) => {
    const x = rankIs('NchwcReorderOutput', dtypeIs('NchwcReorderOutput', req('NchwcReorderOutput', inputs, 0), 'float32'), 4);
    if (intAttr(attrs, 'channels', -1) !== x.shape[1]) shapeFail('NchwcReorderOutput', 'the channels attribute must equal the input channels', [x]);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

registerOp('NchwcConv', {
  onnxType: 'Conv',
  domain: NCHWC_DOMAIN,
  // The output's shape is the plain Conv's: the same checks, the same window arithmetic.
  infer: (inputs, attrs) => {
    dtypeIs('NchwcConv', req('NchwcConv', inputs, 0), 'float32');
    return getOp('Conv').infer(inputs, attrs);
  },
});
