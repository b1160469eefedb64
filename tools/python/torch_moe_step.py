#!/usr/bin/env python3
"""The FlexMoE training step in PyTorch (CPU): the train bench's baseline.

Driven over stdin/stdout by server/src/bench/train/torch-step.ts, one JSON object per line.
The model is the one shared/src/model emits as ONNX (forward.ts, backbone.ts, packing.ts),
written again here op for op, on the graph's packed parameter layout and names:

- backbone: mlp (flatten, dense, ReLU); cnn (3x3 conv -> 2x2 max-pool -> ReLU, 3x3 stride-2 conv
  -> ReLU, then dense, ReLU); resnet (ResNet-8 with GroupNorm, see resnet_features).
- gate: s = f Wg + bg + mask (0 assigned, -1e9 not); p = softmax(s) S (S the [E, k] slot
  selection); top-r slots of p (no gradient), renormalised weights w.
- experts packed: h = relu(f W1 + b1) [N, k*H]; z = (h scaled per block by w) W2 + w B2.
- loss: mean softmax cross-entropy + auxWeight * k * sum_j (mean_n sel[n,j] / r) * mean_n p[n,j].
- plain SGD: p <- p - lr * grad.

Requests: setup {id, model, k, batch, threads, lr, params?, x?, labels?, seed}; run {id, ms}
(steps for ms, returns count, wallMs, cpuUs); steps {id, n}; params {id}; drop {id}; quit.
Tensors travel as base64 of little-endian float32 (labels: int32).
"""
import base64
import json
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as err:  # reported to the bench, which prints it in the rows
    print(json.dumps({"ready": False, "error": f"PyTorch not importable: {err}"}), flush=True)
    sys.exit(0)

MASK_VALUE = -1e9


def decode(b64, shape, dtype=torch.float32):
    raw = bytearray(base64.b64decode(b64))
    return torch.frombuffer(raw, dtype=dtype).reshape(shape).clone()


def encode(t):
    return base64.b64encode(t.detach().contiguous().numpy().tobytes()).decode("ascii")


def conv(x, w, stride=1, b=None, padding=1):
    return F.conv2d(x, w, b, stride=stride, padding=padding)


def group_norm(x, p, name, groups):
    return F.group_norm(x, groups, p[f"{name}.gamma"], p[f"{name}.beta"], eps=1e-5)


def resnet_features(x, p, cfg):
    """ResNet-8: stem conv-GN-ReLU, three basic blocks (stride 1, 2, 2), global average pool."""
    groups = cfg["resnetGroups"]
    h = F.relu(group_norm(conv(x, p["backbone.stem.weight"]), p, "backbone.stem.norm", groups))
    for i, stride in enumerate((1, 2, 2)):
        name = f"backbone.block{i + 1}"
        y = F.relu(group_norm(conv(h, p[f"{name}.conv1.weight"], stride), p, f"{name}.norm1", groups))
        y = group_norm(conv(y, p[f"{name}.conv2.weight"]), p, f"{name}.norm2", groups)
        if f"{name}.proj.weight" in p:
            h = group_norm(conv(h, p[f"{name}.proj.weight"], stride, padding=0), p, f"{name}.projnorm", groups)
        h = F.relu(y + h)
    return h.mean(dim=(2, 3))


def features(x, p, cfg):
    kind = cfg["backbone"]
    if kind == "mlp":
        h = x.flatten(1)
    elif kind == "cnn":
        h = F.relu(F.max_pool2d(conv(x, p["backbone.conv1.weight"], b=p["backbone.conv1.bias"]), 2))
        h = F.relu(conv(h, p["backbone.conv2.weight"], 2, p["backbone.conv2.bias"])).flatten(1)
    elif kind == "resnet":
        h = resnet_features(x, p, cfg)
    else:
        raise ValueError(f"unknown backbone {kind}")
    return F.relu(h @ p["backbone.fc.weight"] + p["backbone.fc.bias"])


def moe_loss(p, x, target, mask, select, cfg, k):
    """Objective of one step, as forward.ts / graphs.ts compute it."""
    f = features(x, p, cfg)
    slot_probs = torch.softmax(f @ p["gate.weight"] + p["gate.bias"] + mask, dim=-1) @ select
    r = max(1, min(cfg["topR"], k))
    frozen = slot_probs.detach()
    if r >= k:
        selected = torch.ones_like(frozen)
    else:
        selected = torch.zeros_like(frozen).scatter_(1, frozen.topk(r, dim=-1).indices, 1.0)
    picked = slot_probs * selected
    weights = picked / picked.sum(dim=1, keepdim=True)
    n, hdim = f.shape[0], cfg["expertHidden"]
    hidden = F.relu(f @ p["experts.fc1.weight"] + p["experts.fc1.bias"])
    scaled = (hidden.reshape(n, k, hdim) * weights.unsqueeze(2)).reshape(n, k * hdim)
    logits = scaled @ p["experts.fc2.weight"] + weights @ p["experts.fc2.bias"]
    ce = -(target * torch.log_softmax(logits, dim=1)).sum(dim=1)
    aux = ((selected.mean(dim=0) / r) * slot_probs.mean(dim=0)).sum() * k
    return ce.mean() + aux * cfg["auxWeight"]


class Case:
    """One model, batch and thread count, with its parameters and a fixed batch."""

    def __init__(self, req):
        self.cfg = req["model"]
        self.k = req["k"]
        self.threads = req["threads"]
        self.lr = req["lr"]
        gen = torch.Generator().manual_seed(req.get("seed", 1))
        self.params = {}
        for spec in req["specs"]:
            name, shape = spec["name"], spec["shape"]
            given = req.get("params", {}).get(name)
            t = decode(given, shape) if given else torch.randn(shape, generator=gen) * 0.05
            self.params[name] = t.requires_grad_(True)
        n = req["batch"]
        shape = [n, *self.cfg["inputShape"]]
        self.x = decode(req["x"], shape) if "x" in req else torch.rand(shape, generator=gen)
        classes = self.cfg["classes"]
        labels = decode(req["labels"], [n], torch.int32).long() if "labels" in req else torch.randint(0, classes, [n], generator=gen)
        self.target = F.one_hot(labels, classes).float()
        e = self.cfg["experts"]
        assigned = req.get("assigned", list(range(self.k)))
        self.mask = torch.full([e], MASK_VALUE)
        self.select = torch.zeros([e, self.k])
        for j, ex in enumerate(assigned):
            self.mask[ex] = 0.0
            self.select[ex, j] = 1.0

    def step(self):
        for t in self.params.values():
            t.grad = None
        loss = moe_loss(self.params, self.x, self.target, self.mask, self.select, self.cfg, self.k)
        loss.backward()
        with torch.no_grad():
            for t in self.params.values():
                t.sub_(t.grad, alpha=self.lr)
        return loss

    def run_for(self, ms):
        torch.set_num_threads(self.threads)
        # One thread computes on this thread: its CPU time is comparable with the ONNX step's.
        clock = time.thread_time if self.threads == 1 else time.process_time
        cpu0, t0 = clock(), time.perf_counter()
        count = 0
        while True:
            self.step()
            count += 1
            now = time.perf_counter()
            if (now - t0) * 1000 >= ms:
                break
        return {"count": count, "wallMs": (now - t0) * 1000, "cpuUs": (clock() - cpu0) * 1e6}


def main():
    cases = {}
    print(json.dumps({"ready": True, "torch": torch.__version__, "cores": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        try:
            if op == "quit":
                break
            if op == "setup":
                cases[req["id"]] = Case(req)
                out = {}
            elif op == "run":
                out = cases[req["id"]].run_for(req["ms"])
            elif op == "steps":
                c = cases[req["id"]]
                torch.set_num_threads(c.threads)
                losses = [float(c.step()) for _ in range(req["n"])]
                out = {"losses": losses}
            elif op == "params":
                out = {"params": {n: encode(t) for n, t in cases[req["id"]].params.items()}}
            elif op == "drop":
                cases.pop(req["id"], None)
                out = {}
            else:
                raise ValueError(f"unknown op {op}")
            print(json.dumps({"ok": True, **out}), flush=True)
        except Exception as err:  # the bench reports it; the process stays usable
            print(json.dumps({"ok": False, "error": f"{type(err).__name__}: {err}"}), flush=True)


if __name__ == "__main__":
    main()
