"""Training speed and memory of minikeras against PyTorch eager, on the CPU.

Two models, both trained with Adam(1e-3) on batches of 128 real MNIST digits
(``../shared/datasets/mnist-t10k``; random digits of the same shape when the
files are absent):

* the guide's convnet (4 Conv2D, MaxPooling2D, GlobalAveragePooling2D,
  Dropout, Dense; 260,298 parameters);
* an MLP 784-512-512-10.

Each framework runs in its own subprocess, one after the other in the same
run, with the same number of threads, so that each peak memory (RSS) is its
own. minikeras is timed through ``model.fit`` (so the trainer's per-step
overhead is included), PyTorch through the usual eager loop. The first steps
(warm-up: Numba compilation, allocator growth) are not timed.

On a shared machine the speed of both moves from minute to minute, so the
two alternate for several rounds (minikeras, PyTorch, minikeras, ...): each
round gives the median time of its steps and a ratio between neighbours, and
the report takes the median over the rounds.

Usage::

    python bench/train_convnet.py                 # both models, 3 rounds of 20 timed steps
    python bench/train_convnet.py --rounds 5 --model convnet
    python bench/train_convnet.py --steps 5 --rounds 1 --model mlp
"""

import argparse
import gzip
import json
import os
import resource
import time

import harness  # bench/harness.py: the script's folder is on sys.path
import numpy as np

DATA_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "mnist-t10k")
BATCH_SIZE = 128


def load_mnist(count):
    """``count`` images (N, 28, 28, 1) float32 in [0, 1] and labels (N,), or random ones."""
    images_path = os.path.join(DATA_DIR, "t10k-images-idx3-ubyte.gz")
    labels_path = os.path.join(DATA_DIR, "t10k-labels-idx1-ubyte.gz")
    if not os.path.exists(images_path):
        rng = np.random.default_rng(0)
        return rng.random((count, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, count), "synthetic"
    with gzip.open(images_path, "rb") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)
    with gzip.open(labels_path, "rb") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images[:count].astype("float32") / 255.0, labels[:count].astype("int64"), "mnist-t10k"


def peak_rss_mb():
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ----- minikeras -----
def minikeras_model(kind):
    """The MLP, or the guide's convnet exactly as the example builds it."""
    import minikeras as keras
    from minikeras.examples.mnist_convnet import build_model

    if kind == "mlp":
        return keras.Sequential([
            keras.layers.Input(shape=(28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ])
    return build_model()


def run_minikeras(kind, warmup, steps):
    """Times ``fit`` step by step with a callback; returns seconds per timed step."""
    import minikeras as keras

    x, y, source = load_mnist(BATCH_SIZE * (warmup + steps))
    model = minikeras_model(kind)
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(),
                  optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")])
    times = []

    class StepTimer(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            times.append(time.perf_counter() - self.start)

    rss_before = peak_rss_mb()
    history = model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, shuffle=False, verbose=0,
                        callbacks=[StepTimer()])
    return {"seconds_per_step": float(np.median(times[warmup:])), "data": source,
            "loss": history.history["loss"][-1], "peak_rss_mb": peak_rss_mb(),
            "rss_before_training_mb": rss_before}


# ----- PyTorch -----
def torch_model(kind):
    from torch import nn

    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                             nn.ReLU(), nn.Linear(512, 10))
    return nn.Sequential(
        nn.Conv2d(1, 64, 3), nn.ReLU(), nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3), nn.ReLU(), nn.Conv2d(128, 128, 3), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(128, 10),
    )


def run_torch(kind, warmup, steps, threads):
    import torch

    torch.set_num_threads(threads)
    x, y, source = load_mnist(BATCH_SIZE * (warmup + steps))
    x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))  # NHWC -> NCHW
    y = torch.from_numpy(y)
    model = torch_model(kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()  # softmax + log loss, as the Keras model's
    rss_before = peak_rss_mb()
    times = []
    for step in range(warmup + steps):
        start = time.perf_counter()
        xb, yb = x[step * BATCH_SIZE:(step + 1) * BATCH_SIZE], y[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        float(loss)
        times.append(time.perf_counter() - start)
    return {"seconds_per_step": float(np.median(times[warmup:])), "data": source, "loss": float(loss),
            "peak_rss_mb": peak_rss_mb(), "rss_before_training_mb": rss_before}


# ----- the parent: one subprocess per framework and model -----
def report(kind, rounds):
    """Prints each round and the medians; ``rounds`` is a list of ``(ours, theirs)`` results."""
    name = {"convnet": "guide convnet", "mlp": "MLP 784-512-512-10"}[kind]
    print(f"\n{name}, batch {BATCH_SIZE}, Adam, data: {rounds[0][0]['data']}")
    print(f"{'round':6s} {'minikeras ms/step':>18s} {'PyTorch ms/step':>16s} {'ratio':>6s}")
    ratios = []
    for number, (ours, theirs) in enumerate(rounds, 1):
        ratios.append(ours["seconds_per_step"] / theirs["seconds_per_step"])
        print(f"{number:<6d} {ours['seconds_per_step'] * 1000:18.1f} {theirs['seconds_per_step'] * 1000:16.1f} {ratios[-1]:5.2f}x")
    print(f"{'':12s} {'ms/step':>9s} {'images/s':>9s} {'peak RSS MB':>12s} {'training RSS MB':>16s}   (medians)")
    for label, results in (("minikeras", [ours for ours, _ in rounds]), ("PyTorch", [theirs for _, theirs in rounds])):
        seconds = float(np.median([result["seconds_per_step"] for result in results]))
        growth = max(result["peak_rss_mb"] - result["rss_before_training_mb"] for result in results)
        peak = max(result["peak_rss_mb"] for result in results)
        print(f"{label:12s} {seconds * 1000:9.1f} {BATCH_SIZE / seconds:9.0f} {peak:12.0f} {growth:16.0f}")
    print(f"time per step, minikeras / PyTorch: {float(np.median(ratios)):.2f}x, median of {len(ratios)} "
          f"round(s) ({min(ratios):.2f}-{max(ratios):.2f}x) (target <= 1.25x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["convnet", "mlp", "both"], default="both")
    harness.add_common_arguments(parser)
    args = parser.parse_args()
    if args.child == "minikeras":
        print(json.dumps(run_minikeras(args.model, args.warmup, args.steps)))
        return
    if args.child == "torch":
        print(json.dumps(run_torch(args.model, args.warmup, args.steps, args.threads)))
        return
    harness.fix_threads(args.threads)
    for kind in (["convnet", "mlp"] if args.model == "both" else [args.model]):
        report(kind, harness.alternate(__file__, ["--model", kind], args))


if __name__ == "__main__":
    main()
