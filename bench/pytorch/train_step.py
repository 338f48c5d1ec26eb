#!/usr/bin/python3
"""The PyTorch side of the trainer comparison: the same training step as bench_train.

Builds an arch file (format patchnas.arch/1) as a PyTorch model with the layers patchnas
trains (stem conv + BN + ReLU6; MobileNetV2 blocks: 1x1 expand + BN + ReLU6, k x k depthwise +
BN + ReLU6, 1x1 project + BN, residual add; optional 1x1 head; global average pooling; FC) and
times full steps (forward, softmax cross-entropy, backward, SGD with momentum) on batches of
128, on 1 and 2 threads. Prints the median samples/s of the repetitions, one line per thread
count. The batches are random tensors made before timing, so PyTorch is not charged for
batch preparation (bench_train is).

    /usr/bin/python3 bench/pytorch/train_step.py --arch configs/archs/fmnist-ref.json
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


def conv_bn(cin, cout, kernel, stride, groups=1, relu=True):
    layers = [
        nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=True),
        nn.BatchNorm2d(cout),
    ]
    if relu:
        layers.append(nn.ReLU6())
    return nn.Sequential(*layers)


class Block(nn.Module):
    def __init__(self, cin, spec):
        super().__init__()
        hidden = round(cin * spec["expand"])
        layers = []
        if spec["expand"] != 1:
            layers.append(conv_bn(cin, hidden, 1, 1))
        layers.append(conv_bn(hidden, hidden, spec["kernel"], spec["stride"], groups=hidden))
        layers.append(conv_bn(hidden, spec["out"], 1, 1, relu=False))
        self.body = nn.Sequential(*layers)
        self.residual = spec["stride"] == 1 and cin == spec["out"]

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


def build(arch):
    channels = arch["input"]["channels"]
    stem = arch["stem"]
    layers = [conv_bn(channels, stem["out"], stem["kernel"], stem["stride"])]
    cin = stem["out"]
    for spec in arch["blocks"]:
        layers.append(Block(cin, spec))
        cin = spec["out"]
    if "head" in arch:
        layers.append(conv_bn(cin, arch["head"]["out"], 1, 1))
        cin = arch["head"]["out"]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, arch["classes"])]
    return nn.Sequential(*layers)


def samples_per_second(arch, threads, steps, batch):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(arch).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    resolution = arch["input"]["resolution"]
    images = torch.randn(8, batch, arch["input"]["channels"], resolution, resolution)
    labels = torch.randint(0, arch["classes"], (8, batch))

    def step(i):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(images[i % 8]), labels[i % 8])
        loss.backward()
        optimizer.step()

    for i in range(5):  # warm-up
        step(i)
    start = time.perf_counter()
    for i in range(steps):
        step(i)
    return steps * batch / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", required=True, help="arch file (patchnas.arch/1)")
    parser.add_argument("--steps", type=int, default=40, help="timed steps per repetition")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    with open(args.arch) as f:
        arch = json.load(f)
    print(f"PyTorch {torch.__version__}, {arch.get('name', args.arch)}, batch {args.batch}")
    for threads in (1, 2):
        runs = [samples_per_second(arch, threads, args.steps, args.batch)
                for _ in range(args.repetitions)]
        print(f"threads {threads}: median {statistics.median(runs):.0f} samples/s "
              f"(runs: {', '.join(f'{r:.0f}' for r in runs)})")


if __name__ == "__main__":
    main()
