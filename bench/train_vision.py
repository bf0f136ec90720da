"""Training step of two vision models, minikeras against PyTorch eager, on the CPU (issue 17).

* ``autoencoder``: the convolutional denoising autoencoder of the Keras
  example (``minikeras/examples/denoising_autoencoder.py``): 28x28x1 images,
  Conv2D(32) + MaxPooling2D twice, Conv2DTranspose(32, strides 2) twice, a
  Conv2D(1) with a sigmoid; binary crossentropy, Adam, batch 128.
* ``separable``: a depthwise-separable block on 32x32x64 feature maps,
  batch 64: SeparableConv2D(64, 3, "same", ReLU) (a depthwise 3x3 then a
  1x1 convolution from 64 to 64 channels), GlobalAveragePooling2D,
  Dense(10); sparse categorical crossentropy, Adam.

Same protocol as ``train_convnet.py``: each engine runs in its own
subprocess with the same thread count, the two alternate round by round,
the first steps are not timed, each round reports the median step and the
report takes the median ratio over the rounds. As ``sequence.py``, it
reports each process's CPU time per step beside the wall clock: on a shared
machine the CPU time moves less. The data are random (the
timing does not depend on them). minikeras is timed through ``fit``.

Usage::

    python bench/train_vision.py                       # both models, 3 rounds of 20 timed steps
    python bench/train_vision.py --model separable --rounds 5
"""

import argparse
import json
import os
import time

import harness  # bench/harness.py: the script's folder is on sys.path
import numpy as np

SHAPES = {"autoencoder": (128, 28, 28, 1), "separable": (64, 32, 32, 64)}  # (batch, H, W, C)


def data(kind, steps):
    """Inputs (N, H, W, C) float32 and targets for ``steps`` batches, from a fixed seed."""
    batch, height, width, channels = SHAPES[kind]
    rng = np.random.default_rng(0)
    x = rng.random((batch * steps, height, width, channels), dtype=np.float32)
    if kind == "autoencoder":
        return x, np.clip(x + 0.4 * rng.standard_normal(x.shape, dtype=np.float32), 0, 1)
    return x, rng.integers(0, 10, batch * steps)


# ----- minikeras -----
def minikeras_model(kind):
    import minikeras as keras
    from minikeras import layers

    if kind == "autoencoder":
        from minikeras.examples.denoising_autoencoder import build_autoencoder

        return build_autoencoder(), "binary_crossentropy"
    model = keras.Sequential([
        keras.Input(SHAPES[kind][1:]),
        layers.SeparableConv2D(64, 3, padding="same", activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(10),
    ])
    return model, keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def run_minikeras(kind, warmup, steps):
    import minikeras as keras

    x, y = data(kind, warmup + steps)
    model, loss = minikeras_model(kind)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
    times, cpu_times = [], []

    class StepTimer(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.start, self.cpu_start = time.perf_counter(), time.process_time()

        def on_train_batch_end(self, batch, logs=None):
            times.append(time.perf_counter() - self.start)
            cpu_times.append(time.process_time() - self.cpu_start)

    history = model.fit(x, y, batch_size=SHAPES[kind][0], epochs=1, shuffle=False, verbose=0,
                        callbacks=[StepTimer()])
    return {"seconds_per_step": float(np.median(times[warmup:])),
            "cpu_seconds_per_step": float(np.median(cpu_times[warmup:])), "loss": history.history["loss"][-1]}


# ----- PyTorch -----
def torch_model(kind):
    from torch import nn

    if kind == "autoencoder":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            # Keras's "same", stride 2, kernel 3 doubles the size: padding 1 and output_padding 1
            nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.Conv2d(32, 1, 3, padding=1), nn.Sigmoid(),
        ), nn.BCELoss()
    return nn.Sequential(
        nn.Conv2d(64, 64, 3, padding=1, groups=64, bias=False),  # depthwise (Keras: no depthwise bias)
        nn.Conv2d(64, 64, 1), nn.ReLU(),  # pointwise, with the bias
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10),
    ), nn.CrossEntropyLoss()


def run_torch(kind, warmup, steps, threads):
    import torch

    torch.set_num_threads(threads)
    x, y = data(kind, warmup + steps)
    x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))  # NHWC -> NCHW
    y = torch.from_numpy(np.ascontiguousarray(y.transpose(0, 3, 1, 2)) if y.ndim == 4 else y)
    model, loss_fn = torch_model(kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    batch, times, cpu_times = SHAPES[kind][0], [], []
    for step in range(warmup + steps):
        start, cpu_start = time.perf_counter(), time.process_time()
        xb, yb = x[step * batch:(step + 1) * batch], y[step * batch:(step + 1) * batch]
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        loss.item()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return {"seconds_per_step": float(np.median(times[warmup:])),
            "cpu_seconds_per_step": float(np.median(cpu_times[warmup:])), "loss": loss.item()}


# ----- the parent: one subprocess per engine and round -----
def report(kind, rounds):
    """Prints each round and the medians, wall clock and process CPU time; ``rounds``: ``(ours, theirs)`` pairs."""
    print(f"\n{kind}, batch {SHAPES[kind][0]}, input {SHAPES[kind][1:]}, Adam")
    print(f"{'round':6s} {'minikeras ms/step':>18s} {'PyTorch ms/step':>16s} {'ratio':>6s}"
          f" {'minikeras CPU ms':>17s} {'PyTorch CPU ms':>15s} {'ratio':>6s}")
    for number, (ours, theirs) in enumerate(rounds, 1):
        print(f"{number:<6d} {ours['seconds_per_step'] * 1000:18.1f} {theirs['seconds_per_step'] * 1000:16.1f} "
              f"{ours['seconds_per_step'] / theirs['seconds_per_step']:5.2f}x "
              f"{ours['cpu_seconds_per_step'] * 1000:17.1f} {theirs['cpu_seconds_per_step'] * 1000:15.1f} "
              f"{ours['cpu_seconds_per_step'] / theirs['cpu_seconds_per_step']:5.2f}x")
    for label, key in (("time", "seconds_per_step"), ("CPU time", "cpu_seconds_per_step")):
        ratios = [ours[key] / theirs[key] for ours, theirs in rounds]
        print(f"{label} per step, minikeras / PyTorch: {float(np.median(ratios)):.2f}x, median of {len(ratios)} "
              f"round(s) ({min(ratios):.2f}-{max(ratios):.2f}x) (target <= 1.25x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["autoencoder", "separable", "both"], default="both")
    harness.add_common_arguments(parser)
    args = parser.parse_args()
    if args.child == "minikeras":
        print(json.dumps(run_minikeras(args.model, args.warmup, args.steps)))
        return
    if args.child == "torch":
        print(json.dumps(run_torch(args.model, args.warmup, args.steps, args.threads)))
        return
    harness.fix_threads(args.threads)
    for kind in (["autoencoder", "separable"] if args.model == "both" else [args.model]):
        report(kind, harness.alternate(__file__, ["--model", kind], args))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
