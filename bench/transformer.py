"""Training speed of a transformer encoder block: minikeras against PyTorch eager, on the CPU.

The block (post-norm, as Keras's text-classification example): self-attention
(4 heads of 32 over width 128), residual + LayerNormalization, feed-forward
128 -> 256 (ReLU) -> 128, residual + LayerNormalization, then average pooling
over the tokens and a 2-way softmax classifier. Batches of 32 sequences of
128 tokens of width 128 (random floats, random labels), Adam(1e-3), no dropout
(dropout draws would differ anyway), float32.

PyTorch runs the same block from ``nn.MultiheadAttention(batch_first=True)``,
``nn.LayerNorm(eps=1e-6)`` and ``nn.Linear`` in the usual eager loop.
minikeras is timed through ``model.fit`` (the trainer's per-step overhead is
included). Each framework runs in its own subprocess with the same thread
count, the two alternate for several rounds (minikeras, PyTorch, minikeras,
...), and the report takes the median ratio over the rounds: on a shared
machine both speeds move from minute to minute.

Memory: NumPy allocates every 2-8 MB intermediate afresh, and glibc's malloc
returns such blocks to the system when they are freed, so each new one costs
page faults (the kernel zeroing 4 KB pages). ``--keep-freed-memory`` sets
``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` for both children,
so freed blocks are reused; PyTorch's time does not change with it, minikeras's
drops by about a third. minikeras makes the same setting itself
(``kernels/runtime.py``) before its first matrix product.

Usage::

    python bench/transformer.py                  # 3 rounds of 15 timed steps
    python bench/transformer.py --rounds 5 --steps 20 --keep-freed-memory
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

BATCH, TOKENS, WIDTH, HEADS, FEED_FORWARD = 32, 128, 128, 4, 256


def make_data(steps):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH * steps, TOKENS, WIDTH)).astype("float32")
    return x, rng.integers(0, 2, BATCH * steps)


# ----- minikeras -----
def minikeras_block():
    import minikeras as keras
    layers = keras.layers
    inputs = keras.Input((TOKENS, WIDTH))
    attended = layers.MultiHeadAttention(num_heads=HEADS, key_dim=WIDTH // HEADS)(inputs, inputs)
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([inputs, attended]))
    hidden = layers.Dense(FEED_FORWARD, activation="relu")(x)
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, layers.Dense(WIDTH)(hidden)]))
    x = layers.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, layers.Dense(2, activation="softmax")(x))


def run_minikeras(warmup, steps):
    import minikeras as keras

    x, y = make_data(warmup + steps)
    model = minikeras_block()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(1e-3))
    times, cpu_times = [], []

    class StepTimer(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.start, self.cpu_start = time.perf_counter(), time.process_time()

        def on_train_batch_end(self, batch, logs=None):
            times.append(time.perf_counter() - self.start)
            cpu_times.append(time.process_time() - self.cpu_start)

    history = model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[StepTimer()])
    return {"seconds_per_step": float(np.median(times[warmup:])), "loss": history.history["loss"][-1],
            "cpu_seconds_per_step": float(np.median(cpu_times[warmup:])),
            "params": model.count_params()}


# ----- PyTorch -----
def torch_block():
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
            self.norm_1, self.norm_2 = nn.LayerNorm(WIDTH, eps=1e-6), nn.LayerNorm(WIDTH, eps=1e-6)
            self.feed_forward = nn.Sequential(nn.Linear(WIDTH, FEED_FORWARD), nn.ReLU(), nn.Linear(FEED_FORWARD, WIDTH))
            self.classes = nn.Linear(WIDTH, 2)

        def forward(self, x):
            x = self.norm_1(x + self.attention(x, x, x, need_weights=False)[0])
            x = self.norm_2(x + self.feed_forward(x))
            return self.classes(torch.mean(x, dim=1))

    return Block()


def run_torch(warmup, steps, threads):
    import torch

    torch.set_num_threads(threads)
    x, y = make_data(warmup + steps)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    model = torch_block()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()  # softmax + log loss, as the Keras model's
    times, cpu_times = [], []
    for step in range(warmup + steps):
        start, cpu_start = time.perf_counter(), time.process_time()
        batch = slice(step * BATCH, (step + 1) * BATCH)
        optimizer.zero_grad()
        loss = loss_fn(model(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
        float(loss)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return {"seconds_per_step": float(np.median(times[warmup:])), "loss": float(loss),
            "cpu_seconds_per_step": float(np.median(cpu_times[warmup:])),
            "params": sum(p.numel() for p in model.parameters())}


# ----- the parent: one subprocess per framework and round -----
def child_result(framework, args):
    command = [sys.executable, __file__, "--child", framework, "--steps", str(args.steps),
               "--warmup", str(args.warmup), "--threads", str(args.threads)]
    environment = dict(os.environ)
    if args.keep_freed_memory:  # the same for both frameworks
        environment.update(MALLOC_MMAP_THRESHOLD_=str(2 ** 28), MALLOC_TRIM_THRESHOLD_=str(2 ** 30))
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout
    return json.loads(output.strip().splitlines()[-1])


def report(rounds):
    ours_params, theirs_params = rounds[0][0]["params"], rounds[0][1]["params"]
    print(f"\ntransformer encoder block, batch {BATCH} x {TOKENS} tokens x width {WIDTH}, {HEADS} heads, "
          f"feed-forward {FEED_FORWARD}, Adam; parameters: minikeras {ours_params:,}, PyTorch {theirs_params:,}")
    print("(wall = elapsed time; cpu = the process's CPU time, all its threads, which a busy machine "
          "disturbs less)")
    print(f"{'round':6s} {'minikeras wall/cpu ms':>22s} {'PyTorch wall/cpu ms':>20s} {'wall ratio':>10s} "
          f"{'cpu ratio':>9s}")
    ratios, cpu_ratios = [], []
    for number, (ours, theirs) in enumerate(rounds, 1):
        ratios.append(ours["seconds_per_step"] / theirs["seconds_per_step"])
        cpu_ratios.append(ours["cpu_seconds_per_step"] / theirs["cpu_seconds_per_step"])
        mine = f"{ours['seconds_per_step'] * 1000:.1f} / {ours['cpu_seconds_per_step'] * 1000:.1f}"
        torch = f"{theirs['seconds_per_step'] * 1000:.1f} / {theirs['cpu_seconds_per_step'] * 1000:.1f}"
        print(f"{number:<6d} {mine:>22s} {torch:>20s} {ratios[-1]:9.2f}x {cpu_ratios[-1]:8.2f}x")
    for label, values in (("time", ratios), ("CPU time", cpu_ratios)):
        print(f"{label} per step, minikeras / PyTorch: {float(np.median(values)):.2f}x, median of {len(values)} "
              f"round(s) ({min(values):.2f}-{max(values):.2f}x) (target <= 1.25x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=15, help="timed steps")
    parser.add_argument("--warmup", type=int, default=3, help="untimed first steps")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the two frameworks")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="glibc malloc keeps freed blocks (both frameworks)")
    parser.add_argument("--child", choices=["minikeras", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "minikeras":
        print(json.dumps(run_minikeras(args.warmup, args.steps)))
        return
    if args.child == "torch":
        print(json.dumps(run_torch(args.warmup, args.steps, args.threads)))
        return
    # Same thread count for NumPy's BLAS, Numba and PyTorch, fixed before any import.
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[variable] = str(args.threads)
    print(f"threads: {args.threads}; keep freed memory: {args.keep_freed_memory}; "
          f"load average: {os.getloadavg()[0]:.2f} (the machine may be shared)")
    report([(child_result("minikeras", args), child_result("torch", args)) for _ in range(args.rounds)])


if __name__ == "__main__":
    main()
