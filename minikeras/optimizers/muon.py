"""Muon: momentum whose step is orthogonalised, for the 2-D weight matrices of a network.

Place in the stack: a concrete optimizer over ``optimizer.py``; read
``adam.py`` first, since Muon falls back to an AdamW step for the weights it
does not suit.

The idea (Jordan et al., 2024; Liu et al., 2025 "Moonlight"): for a weight
matrix, SGD-with-momentum's step ``m`` is dominated by a few directions
(its largest singular values). Muon replaces ``m = U S V^T`` by roughly
``U V^T``, every singular value pushed towards 1, so all directions move by
the same amount. The SVD would be slow; a few Newton-Schulz iterations of an
odd quintic polynomial get close enough:

    m <- momentum * m + g                       (stored momentum)
    G = g + momentum * m   (nesterov)   or   G = m
    X = G / (||G||_F + 1e-7)                    (spectral norm <= 1)
    repeat ns_steps:  A = X X^T;  X <- a X + (b A + c A A) X
    w <- w - lr * X * sqrt(max(rows, cols)) * rms_rate

(``X`` is transposed first when it has more rows than columns, so ``A`` is
the smaller Gram matrix.) The last factor (Moonlight) makes the update's RMS
close to AdamW's, so Muon can use AdamW's learning rate and weight decay.

Weights that are not 2-D, whose path contains ``"embedding"`` (with
``exclude_embeddings``), or whose path matches a regular expression of
``exclude_layers`` take an AdamW step instead (with ``adam_lr_ratio * lr``
and ``adam_weight_decay``): they keep a ``velocity`` slot besides the
``momentum`` every weight has. Read next: ``schedule_free_adamw.py``.
"""

import re

from minikeras.backend import get_xp
from minikeras.optimizers.optimizer import Optimizer


class Muon(Optimizer):
    """The Muon optimizer, with Keras 3's defaults.

    Args:
        learning_rate: float or schedule (0.001).
        adam_beta_1, adam_beta_2: AdamW's decays for the excluded weights (0.9, 0.999).
        adam_weight_decay: AdamW's decoupled weight decay (0.004).
        epsilon: AdamW's epsilon (1e-7).
        weight_decay: the Muon weights' decoupled weight decay (0.004).
        exclude_layers: regular expressions; a weight whose path matches one takes AdamW steps.
        exclude_embeddings: weights with ``"embedding"`` in their path take AdamW steps (True).
        muon_a, muon_b, muon_c: the Newton-Schulz polynomial (3.4445, -4.7750, 2.0315).
        adam_lr_ratio: AdamW's learning rate over Muon's (1).
        momentum: the momentum's decay (0.95).
        ns_steps: Newton-Schulz iterations (5).
        nesterov: step along ``g + momentum * m`` instead of ``m`` (True).
        rms_rate: Moonlight's scale, None to switch it off (0.2).
        name, **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999, adam_weight_decay=0.004,
                 epsilon=1e-7, weight_decay=0.004, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None, exclude_embeddings=True,
                 muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315, adam_lr_ratio=1, momentum=0.95, ns_steps=5,
                 nesterov=True, rms_rate=0.2, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.adam_beta_1, self.adam_beta_2, self.epsilon = adam_beta_1, adam_beta_2, epsilon
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio, self.momentum, self.ns_steps, self.nesterov = adam_lr_ratio, momentum, ns_steps, nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable):
        """True for the weights Muon leaves to AdamW (not 2-D, embeddings, ``exclude_layers``)."""
        path = getattr(variable, "path", None) or str(variable.name)
        if len(variable.shape) != 2:
            return True
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(keyword, path) for keyword in self.exclude_layers)

    def build(self, variables):
        """Per variable, in order: ``w_momentum``, then ``w_velocity`` if it takes AdamW steps."""
        if self.built:
            return
        super().build(variables)
        self.momentums = [None] * len(variables)
        self.adam_velocities = [None] * len(variables)
        for index, variable in enumerate(variables):
            self.momentums[index] = self.add_variable_from_reference(variable, "momentum")
            if self._should_use_adamw(variable):
                self.adam_velocities[index] = self.add_variable_from_reference(variable, "velocity")

    def update_step(self, gradient, variable, learning_rate):
        index = self._get_variable_index(variable)
        m, v = self.momentums[index], self.adam_velocities[index]
        if v is not None:  # a velocity slot marks an AdamW weight
            self._adamw_update_step(gradient, variable, learning_rate * self.adam_lr_ratio, m.data, v.data)
        else:
            self._muon_update_step(gradient, variable, learning_rate, m.data)

    def _muon_update_step(self, gradient, variable, learning_rate, m):
        m += gradient + m * (self.momentum - 1)  # m <- momentum * m + g
        direction = gradient + self.momentum * m if self.nesterov else m
        update = self.zeropower_via_newtonschulz5(direction, self.ns_steps)
        variable.assign(variable.data - self.lr_adjust(learning_rate * update))

    def _adamw_update_step(self, gradient, variable, learning_rate, m, v):
        """Adam's step (``adam.py``); the decay was applied before, in ``_apply_weight_decay``."""
        xp = get_xp(variable.data)
        local_step = self._cast(self.iterations.data + 1, variable)
        beta_1_power = xp.power(self._cast(self.adam_beta_1, variable), local_step)
        beta_2_power = xp.power(self._cast(self.adam_beta_2, variable), local_step)
        alpha = learning_rate * xp.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m += (gradient - m) * (1 - self.adam_beta_1)
        v += (xp.square(gradient) - v) * (1 - self.adam_beta_2)
        variable.assign(variable.data - (m * alpha) / (xp.sqrt(v) + self.epsilon))

    @staticmethod
    def transpose_last_axis(x):
        """Swaps the last two axes: (..., R, C) -> (..., C, R)."""
        return get_xp(x).swapaxes(x, -1, -2)

    def lr_adjust(self, x):
        """Moonlight's scale ``x * sqrt(max(rows, cols)) * rms_rate`` (x unchanged if ``rms_rate`` is None)."""
        if self.rms_rate is None:
            return x
        return x * get_xp(x).sqrt(x.dtype.type(max(x.shape[0], x.shape[1]))) * self.rms_rate

    def zeropower_via_newtonschulz5(self, x, steps):
        """Roughly ``U V^T`` for ``x = U S V^T``, by ``steps`` quintic Newton-Schulz iterations.

        Args:
            x: (..., R, C) array, at least 2-D.
            steps: the number of iterations.
        Returns:
            An array of ``x``'s shape whose singular values are near 1.
        """
        xp = get_xp(x)
        if x.ndim < 2:
            raise ValueError(f"Expected gradient or momentum to have at least 2 dimensions. Received: shape={x.shape}")
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = self.transpose_last_axis(x)  # (R, C) -> (C, R): the Gram matrix below is the smaller one
        x = x / (xp.sqrt(xp.sum(xp.square(x), axis=(-2, -1), keepdims=True)) + x.dtype.type(1e-7))
        for _ in range(steps):
            gram = x @ self.transpose_last_axis(x)  # (R, R)
            x = a * x + (b * gram + c * gram @ gram) @ x
        return self.transpose_last_axis(x) if tall else x

    def _apply_weight_decay(self, variables):
        """Decoupled decay, ``adam_weight_decay`` for the AdamW weights and ``weight_decay`` for the others."""
        for variable in variables:
            if not self._use_weight_decay(variable):
                continue
            weight_decay = self.adam_weight_decay if self._should_use_adamw(variable) else self.weight_decay
            if weight_decay is None:
                continue
            decay = self._cast(weight_decay, variable)
            learning_rate = self._cast(self.learning_rate, variable)
            variable.assign(variable.data - variable.data * decay * learning_rate)

    def get_config(self):
        config = super().get_config()
        config.update({
            "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2, "epsilon": self.epsilon,
            "exclude_layers": self.exclude_layers, "muon_a": self.muon_a, "muon_b": self.muon_b,
            "muon_c": self.muon_c, "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
            "ns_steps": self.ns_steps, "nesterov": self.nesterov, "exclude_embeddings": self.exclude_embeddings,
            "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate,
        })
        return config
