"""One comparison table: minikeras against PyTorch eager and Keras 3 on JAX, on the CPU.

Six models: the ones of ``bench/train_convnet.py`` (the guide's convnet and an
MLP 784-512-512-10, batch 128, Adam(1e-3), sparse categorical cross-entropy,
on MNIST digits), and one sequence and vision model of each kind the layer
issues added (LSTM, GRU, the denoising autoencoder, a SeparableConv2D block:
``bench/compare_models.py``, random data); for each, two workloads:

* **train step**: minikeras and Keras ``train_on_batch`` (Keras compiles its
  step with XLA on the first call, which the warm-up absorbs), PyTorch the
  usual eager loop (``zero_grad``, forward, loss, ``backward``, ``step``);
* **inference**: ``predict_on_batch`` for minikeras and Keras, the model under
  ``torch.no_grad()`` plus the softmax for PyTorch (its model ends in logits).

Every engine runs in its own process (``bench/harness.py``): thread pools
left spinning by one engine would slow the next, and each peak memory is its
own (``ru_maxrss`` of the child, once after the training calls and once at
the end). The engines alternate round by round, minikeras, PyTorch, JAX,
minikeras...; each round gives the median of its calls per engine and the
ratio minikeras / peer between neighbours, and the table reports the medians
over the rounds. Engines that are not installed are left out.

Usage::

    python bench/compare.py                                 # 5 rounds of 9 calls, all engines, all models
    python bench/compare.py --model both                    # the guide convnet and the MLP only
    python bench/compare.py --rounds 3 --calls 5 --model mlp
    python bench/compare.py --engines minikeras --rounds 1 --calls 1 --warmup 0   # the test's run
"""

import argparse
import importlib.util
import json
import os
import time

import compare_models
import harness  # bench/harness.py: the script's folder is on sys.path
import numpy as np
from train_convnet import BATCH_SIZE
from train_convnet import load_mnist
from train_convnet import minikeras_model
from train_convnet import peak_rss_mb
from train_convnet import torch_model

ENGINES = ("minikeras", "torch", "jax")
LABELS = {"minikeras": "minikeras", "torch": "PyTorch eager", "jax": "Keras 3 / JAX"}
MODELS = {"convnet": "guide convnet", "mlp": "MLP 784-512-512-10", **compare_models.LABELS}


def installed_engines():
    """The engines whose libraries import here: minikeras always, the peers when installed."""
    found = ["minikeras"]
    if importlib.util.find_spec("torch"):
        found.append("torch")
    if importlib.util.find_spec("keras") and importlib.util.find_spec("jax"):
        found.append("jax")
    return found


def time_calls(function, batches, warmup, calls):
    """Calls ``function(x, y)`` on successive batches; the median seconds of the last ``calls``."""
    times = []
    for index in range(warmup + calls):
        x, y = batches[index % len(batches)]
        start = time.perf_counter()
        function(x, y)
        times.append(time.perf_counter() - start)
    return float(np.median(times[warmup:]))


def batches_of(x, y):
    """The data cut into batches of ``BATCH_SIZE``: a list of ``(x, y)`` pairs."""
    return [(x[i:i + BATCH_SIZE], y[i:i + BATCH_SIZE]) for i in range(0, len(x), BATCH_SIZE)]


def keras_like_child(keras, model, kind, warmup, calls, loss=None):
    """The two timings of a Keras-API engine (minikeras or Keras 3), and its peak memory."""
    if kind in compare_models.KINDS:
        batches, source = compare_models.batches(kind, max(warmup + calls, 1)), "random"
        model.compile(loss=loss, optimizer=keras.optimizers.Adam(learning_rate=1e-3))
    else:
        x, y, source = load_mnist(BATCH_SIZE * max(warmup + calls, 1))
        batches = batches_of(x, y)
        model.compile(loss=keras.losses.SparseCategoricalCrossentropy(),
                      optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                      metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")])
    train = time_calls(lambda xb, yb: model.train_on_batch(xb, yb), batches, warmup, calls)
    rss_train = peak_rss_mb()
    infer = time_calls(lambda xb, yb: model.predict_on_batch(xb), batches, warmup, calls)
    return {"train_s": train, "infer_s": infer, "rss_train_mb": rss_train, "rss_mb": peak_rss_mb(),
            "data": source}


def run_minikeras(kind, warmup, calls):
    import minikeras

    if kind in compare_models.KINDS:
        model, loss = compare_models.keras_model(minikeras, kind)
        return keras_like_child(minikeras, model, kind, warmup, calls, loss=loss)
    return keras_like_child(minikeras, minikeras_model(kind), kind, warmup, calls)


def run_jax(kind, warmup, calls):
    """Keras 3 on JAX, the same Sequential models as minikeras builds."""
    import keras

    layers = keras.layers
    if kind in compare_models.KINDS:
        model, loss = compare_models.keras_model(keras, kind)
        return keras_like_child(keras, model, kind, warmup, calls, loss=loss)
    if kind == "mlp":
        model = keras.Sequential([layers.Input(shape=(28, 28, 1)), layers.Flatten(),
                                  layers.Dense(512, activation="relu"), layers.Dense(512, activation="relu"),
                                  layers.Dense(10, activation="softmax")])
    else:
        model = keras.Sequential([
            layers.Input(shape=(28, 28, 1)),
            layers.Conv2D(64, 3, activation="relu"), layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(128, 3, activation="relu"), layers.Conv2D(128, 3, activation="relu"),
            layers.GlobalAveragePooling2D(), layers.Dropout(0.5),
            layers.Dense(10, activation="softmax")])
    return keras_like_child(keras, model, kind, warmup, calls)


def run_torch(kind, warmup, calls, threads):
    import torch

    torch.set_num_threads(threads)
    if kind in compare_models.KINDS:  # their outputs are the Keras models' own
        batches, source = compare_models.torch_batches(kind, max(warmup + calls, 1)), "random"
        model, loss_fn = compare_models.torch_model(kind)
        softmax = False
    else:  # the convnet and the MLP end in logits; the Keras models in a softmax
        x, y, source = load_mnist(BATCH_SIZE * max(warmup + calls, 1))
        x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))  # NHWC -> NCHW
        batches = batches_of(x, torch.from_numpy(y))
        model = torch_model(kind)
        loss_fn = torch.nn.CrossEntropyLoss()  # softmax + log loss, as the Keras models'
        softmax = True
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    def train_step(xb, yb):
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        return float(loss)

    def predict(xb, yb):
        with torch.no_grad():
            outputs = model(xb)
            return (torch.softmax(outputs, dim=-1) if softmax else outputs).numpy()

    model.train()
    train = time_calls(train_step, batches, warmup, calls)
    rss_train = peak_rss_mb()
    model.eval()
    infer = time_calls(predict, batches, warmup, calls)
    return {"train_s": train, "infer_s": infer, "rss_train_mb": rss_train, "rss_mb": peak_rss_mb(),
            "data": source}


# ----- the parent: one subprocess per engine and model, alternating -----
def report(kind, engines, rounds):
    """Prints the rounds, then the table of medians; ``rounds`` holds one tuple of results per round."""
    by_engine = {engine: [results[i] for results in rounds] for i, engine in enumerate(engines)}
    batch = compare_models.BATCH.get(kind, BATCH_SIZE)
    print(f"\n{MODELS[kind]}, batch {batch}, Adam, data: {rounds[0][0]['data']}, {len(rounds)} round(s)")
    for workload in ("train", "infer"):
        print(f"  {workload:5s} ms per round: " + "; ".join(
            f"{engine} " + ", ".join(f"{r[workload + '_s'] * 1000:.1f}" for r in by_engine[engine])
            for engine in engines))
    peers = engines[1:]
    print("\n| workload | " + " | ".join(LABELS[e] for e in engines) + " | "
          + " | ".join(f"minikeras / {LABELS[p]}" for p in peers) + " |")
    print("|---" * (1 + len(engines) + len(peers)) + "|")
    names = {"train": "train step", "infer": "inference (`predict_on_batch`)"}
    for workload in ("train", "infer"):
        key = workload + "_s"
        cells = [f"{np.median([r[key] for r in by_engine[e]]) * 1000:.1f} ms" for e in engines]
        for peer in peers:
            ratios = [ours[key] / theirs[key] for ours, theirs in zip(by_engine["minikeras"], by_engine[peer])]
            cells.append(f"{np.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})")
        print(f"| {MODELS[kind]}, {names[workload]} | " + " | ".join(cells) + " |")
    for key, label in (("rss_train_mb", "peak RSS after training calls"), ("rss_mb", "peak RSS, whole child")):
        cells = [f"{max(r[key] for r in by_engine[e]):,.0f} MB" for e in engines]
        print(f"| {MODELS[kind]}, {label} | " + " | ".join(cells) + " |" + " |" * len(peers))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=[*MODELS, "both", "all"], default="all",
                        help="one model, both (the guide convnet and the MLP) or all six")
    parser.add_argument("--engines", default=",".join(installed_engines()),
                        help="comma-separated, minikeras first (default: the installed ones)")
    harness.add_common_arguments(parser, steps=9, warmup=3, engines=ENGINES)
    parser.set_defaults(rounds=5)
    args = parser.parse_args()
    if args.child:
        if args.child == "minikeras":
            result = run_minikeras(args.model, args.warmup, args.steps)
        elif args.child == "torch":
            result = run_torch(args.model, args.warmup, args.steps, args.threads)
        else:
            result = run_jax(args.model, args.warmup, args.steps)
        print(json.dumps(result))
        return
    engines = [engine for engine in args.engines.split(",") if engine]
    if engines[0] != "minikeras" or not set(engines) <= set(ENGINES):
        parser.error(f"--engines must start with minikeras and name only {', '.join(ENGINES)}; got {args.engines}")
    harness.fix_threads(args.threads)
    os.environ["KERAS_BACKEND"] = "jax"
    if args.threads == 1:  # XLA's CPU client otherwise uses every core
        os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    print(f"OpenBLAS core type (NumPy's): {harness.openblas_core_type()}; engines: {', '.join(engines)}; "
          f"{args.rounds} round(s) of {args.steps} call(s) after {args.warmup} warm-up call(s)")
    kinds = {"both": ["convnet", "mlp"], "all": list(MODELS)}.get(args.model, [args.model])
    for kind in kinds:
        report(kind, engines, harness.alternate_engines(__file__, engines, ["--model", kind], args))
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
