"""Training speed of minikeras's LSTM and GRU against PyTorch eager ``nn.LSTM`` / ``nn.GRU``.

The model: one recurrent layer of 128 units over batches of 64 sequences of
100 steps x 32 features, its last output into a Dense(10), mean squared
error, Adam(1e-3); random float32 data. In minikeras the layer takes its
whole-sequence op (``kernels/numba_recurrent.py``); ``--path loop`` times the
readable step-by-step path instead (``use_cudnn=False``).

Each framework runs in its own subprocess (Numba's and PyTorch's thread pools
would otherwise disturb each other), with the same thread count, and the
two alternate for several rounds (minikeras, PyTorch, minikeras, ...). Each
round gives the median time of its steps; the report gives each round's
ratio and the median of the ratios. Both wall-clock time and the process's
CPU time (all its threads) are measured: on a machine shared with other
jobs the wall clock also counts the time spent waiting for a core, the CPU
time does not. minikeras is timed through
``model.fit`` (the trainer's per-step overhead included), PyTorch through
the usual eager loop. The first steps (warm-up: compilation) are not timed.

Usage::

    python bench/sequence.py                      # LSTM and GRU, 3 rounds of 10 timed steps
    python bench/sequence.py --layer gru --rounds 5
    python bench/sequence.py --path loop --rounds 1 --steps 3
"""

import argparse
import json
import time

import harness  # bench/harness.py: the script's folder is on sys.path
import numpy as np

BATCH, STEPS, FEATURES, UNITS, OUTPUTS = 64, 100, 32, 128, 10


def data(count):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((count * BATCH, STEPS, FEATURES)).astype("float32")
    y = rng.standard_normal((count * BATCH, OUTPUTS)).astype("float32")
    return x, y


def run_minikeras(layer, warmup, steps, path):
    import minikeras as keras

    x, y = data(warmup + steps)
    recurrent = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[layer]
    model = keras.Sequential([keras.layers.Input((STEPS, FEATURES)),
                              recurrent(UNITS, use_cudnn=path == "fused"),
                              keras.layers.Dense(OUTPUTS)])
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(1e-3))
    times, cpu_times = [], []

    class StepTimer(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.start, self.cpu_start = time.perf_counter(), time.process_time()

        def on_train_batch_end(self, batch, logs=None):
            times.append(time.perf_counter() - self.start)
            cpu_times.append(time.process_time() - self.cpu_start)

    history = model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0,
                        callbacks=[StepTimer()])
    return {"seconds_per_step": float(np.median(times[warmup:])),
            "cpu_seconds_per_step": float(np.median(cpu_times[warmup:])),
            "loss": history.history["loss"][-1]}


def run_torch(layer, warmup, steps, threads):
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    x, y = (torch.from_numpy(array) for array in data(warmup + steps))
    recurrent = {"lstm": nn.LSTM, "gru": nn.GRU}[layer](FEATURES, UNITS, batch_first=True)
    head = nn.Linear(UNITS, OUTPUTS)
    parameters = list(recurrent.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(parameters, lr=1e-3, eps=1e-7)
    times, cpu_times = [], []
    for step in range(warmup + steps):
        start, cpu_start = time.perf_counter(), time.process_time()
        batch = slice(step * BATCH, (step + 1) * BATCH)
        optimizer.zero_grad()
        outputs, _ = recurrent(x[batch])
        loss = torch.mean((head(outputs[:, -1]) - y[batch]) ** 2)
        loss.backward()
        optimizer.step()
        float(loss)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return {"seconds_per_step": float(np.median(times[warmup:])),
            "cpu_seconds_per_step": float(np.median(cpu_times[warmup:])), "loss": float(loss)}


def report(layer, path, rounds):
    print(f"\n{layer.upper()}({UNITS}), batch {BATCH} x {STEPS} steps x {FEATURES} features, "
          f"Adam, minikeras path: {path}")
    print(f"{'round':6s} {'minikeras ms/step':>18s} {'PyTorch ms/step':>16s} {'ratio':>6s}"
          f"   {'CPU ms/step: minikeras':>23s} {'PyTorch':>8s} {'ratio':>6s}")
    ratios, cpu_ratios = [], []
    for number, (ours, theirs) in enumerate(rounds, 1):
        ratios.append(ours["seconds_per_step"] / theirs["seconds_per_step"])
        cpu_ratios.append(ours["cpu_seconds_per_step"] / theirs["cpu_seconds_per_step"])
        print(f"{number:<6d} {ours['seconds_per_step'] * 1000:18.1f} "
              f"{theirs['seconds_per_step'] * 1000:16.1f} {ratios[-1]:5.2f}x"
              f"   {ours['cpu_seconds_per_step'] * 1000:23.1f} "
              f"{theirs['cpu_seconds_per_step'] * 1000:8.1f} {cpu_ratios[-1]:5.2f}x")
    for label, values in (("wall-clock", ratios), ("CPU", cpu_ratios)):
        print(f"{label} time per step, minikeras / PyTorch: {float(np.median(values)):.2f}x, median "
              f"of {len(values)} round(s) ({min(values):.2f}-{max(values):.2f}x) (target <= 1.25x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", choices=["lstm", "gru", "both"], default="both")
    parser.add_argument("--path", choices=["fused", "loop"], default="fused")
    harness.add_common_arguments(parser, steps=10, warmup=2)
    args = parser.parse_args()
    if args.child == "minikeras":
        print(json.dumps(run_minikeras(args.layer, args.warmup, args.steps, args.path)))
        return
    if args.child == "torch":
        print(json.dumps(run_torch(args.layer, args.warmup, args.steps, args.threads)))
        return
    harness.fix_threads(args.threads)
    for layer in (["lstm", "gru"] if args.layer == "both" else [args.layer]):
        report(layer, args.path, harness.alternate(__file__, ["--layer", layer, "--path", args.path], args))


if __name__ == "__main__":
    main()
